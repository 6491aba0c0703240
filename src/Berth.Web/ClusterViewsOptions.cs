using Microsoft.AspNetCore.Http;

namespace Berth.Web;

/// <summary>
/// How a host mounts the views: the source, how to tell a request's <see cref="ViewScope"/> (the host authenticates
/// first, in its own middleware, and keeps the caller on the request), and whether <c>/</c> redirects to the dashboard.
/// </summary>
public sealed record ClusterViewsOptions(IClusterViews Views, Func<HttpContext, ViewScope> Scope)
{
    public bool RedirectRoot { get; init; } = true;
}
