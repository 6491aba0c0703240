using Berth.Kubernetes.Controller;
using Berth.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Berth.Kubernetes.Views;

/// <summary>
/// The operator's read-only dashboard (<c>/ui</c>) and its API (<c>/api/v1</c>, the same endpoints as <c>berth serve</c>
/// plus the visibility API <c>/api/v1/queues/{name}/pending</c>) on their own HTTPS listener. Every <c>/api</c>
/// request is authenticated and authorized through the API server (<see cref="ViewerAuthorizer"/>; 401 and 403 as
/// problem+json) and sees what its user's RBAC allows (<see cref="ScopeOf"/>); anything but GET is 405, as
/// the cluster's objects are changed with kubectl, not here. The dashboard's own files need no token (they hold no data).
/// </summary>
public static class OperatorDashboard
{
    private const string ViewerItem = "berth.viewer";

    /// <summary>Adds the middleware, the views over <paramref name="views"/>, showback and the dashboard to <paramref name="web"/>.</summary>
    /// <param name="prices">The price table of showback's costs; null: GPU-hours without costs.</param>
    public static void Map(WebApplication web, BerthController controller, OperatorViews views, ViewerAuthorizer authorizer, TimeProvider time, Runtime.Yield.PriceTable? prices = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(web);
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(authorizer);
        web.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (!HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.Headers.Allow = "GET";
                await Problems.Of(StatusCodes.Status405MethodNotAllowed, "method", $"{context.Request.Method} is not served: Berth's views on Kubernetes are read-only; change the cluster's objects (Jobs, PodGroups, Queues) with kubectl instead").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            var namespaces = controller.Cache.Namespaces.Snapshot().Select(n => n.Metadata?.Name).OfType<string>();
            var access = await authorizer.AuthorizeAsync(context.Request.Headers.Authorization.FirstOrDefault(), namespaces, context.RequestAborted).ConfigureAwait(false);
            if (access.Viewer is null)
            {
                if (access.Status == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                }

                await Problems.Of(access.Status, "Authorization", access.Detail).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            context.Items[ViewerItem] = access.Viewer;
            await next(context).ConfigureAwait(false);
        });
        web.MapClusterViews(new ClusterViewsOptions(views, context => ScopeOf(controller, context)));
        web.MapGet("/api/v1/usage", async (HttpContext context, string? from, string? to) =>
        {
            if (UsagePeriod.Read(from, to, time.GetUtcNow(), out var start, out var end) is { } problem)
            {
                return problem;
            }

            // A viewer sees the usage of the namespaces whose workloads they may see (every namespace for an administrator).
            var viewer = context.Items[ViewerItem] as Viewer ?? throw new InvalidOperationException("no viewer on this request: the views' authorization middleware must run first");
            try
            {
                return Results.Json(await controller.Usage.SummaryAsync(start, end, prices, viewer.Sees, context.RequestAborted).ConfigureAwait(false), ApiJson.Responses);
            }
            catch (InvalidOperationException e)
            {
                return Problems.Of(StatusCodes.Status503ServiceUnavailable, "usage", e.Message);
            }
        });
    }

    /// <summary>
    /// What the request's viewer sees: everything for one who may list queues; otherwise the queues their namespaces
    /// may use (<see cref="VisibleQueues"/>) and, in them, only their namespaces' workloads.
    /// </summary>
    public static ViewScope ScopeOf(BerthController controller, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(context);
        var viewer = context.Items[ViewerItem] as Viewer ?? throw new InvalidOperationException("no viewer on this request: the views' authorization middleware must run first");
        return viewer.EveryQueue
            ? new ViewScope(viewer.User, null)
            : new ViewScope(viewer.User, VisibleQueues.Of(viewer, controller.Cache.Queues.Snapshot(), controller.Cache.Namespaces.Snapshot())) { Namespaces = viewer.Namespaces };
    }
}
