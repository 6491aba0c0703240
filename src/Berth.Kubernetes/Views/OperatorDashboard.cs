using System.Globalization;
using Berth.Kubernetes.Controller;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Berth.Kubernetes.Views;

/// <summary>
/// The operator's read-only views on their own HTTPS listener: every <c>/api</c> request is authenticated and
/// authorized through the API server (<see cref="ViewerAuthorizer"/>; 401 and 403 as problem+json), anything but
/// GET and HEAD is 405 (the cluster's objects are changed with kubectl, not here), and
/// <c>GET /api/v1/queues/{name}/pending</c> lists a queue's waiting workloads as the last decision ordered them.
/// </summary>
public static class OperatorDashboard
{
    /// <summary>Most workloads one page of the visibility API holds (Kueue's default limit).</summary>
    public const int MaxPending = 1000;

    private const string ViewerItem = "berth.viewer";

    /// <summary>How old a standby replica's reading of its cache may be before a view asks for a new one.</summary>
    private static readonly TimeSpan ReadingAge = TimeSpan.FromSeconds(2);

    /// <summary>The viewer the middleware put on the request (only inside <c>/api</c>).</summary>
    public static Viewer ViewerOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[ViewerItem] as Viewer ?? throw new InvalidOperationException("no viewer on this request: the views' authorization middleware must run first");
    }

    /// <summary>Adds the middleware and the visibility endpoint to <paramref name="web"/>.</summary>
    public static void Map(WebApplication web, BerthController controller, ViewerAuthorizer authorizer)
    {
        ArgumentNullException.ThrowIfNull(web);
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(authorizer);
        web.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.Headers.Allow = "GET, HEAD";
                await Problem(405, "method", $"{context.Request.Method} is not served: Berth's views on Kubernetes are read-only; change the cluster's objects (Jobs, PodGroups, Queues) with kubectl instead").ExecuteAsync(context).ConfigureAwait(false);
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

                await Problem(access.Status, "Authorization", access.Detail).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            context.Items[ViewerItem] = access.Viewer;
            await next(context).ConfigureAwait(false);
        });
        web.MapGet("/api/v1/queues/{name}/pending", (HttpContext context, string name, string? offset, string? limit) => Pending(controller, ViewerOf(context), name, offset, limit));
    }

    /// <summary>One page of a queue's waiting workloads; a bad offset or limit is 400, an unknown queue 404, one the viewer's namespaces may not use 403.</summary>
    private static IResult Pending(BerthController controller, Viewer viewer, string name, string? offsetText, string? limitText)
    {
        var offset = 0;
        if (offsetText is not null && !int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            return Problem(400, "offset", $"offset is '{offsetText}'; give how many waiting workloads to skip, 0 or more");
        }

        var limit = MaxPending;
        if (limitText is not null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPending))
        {
            return Problem(400, "limit", $"limit is '{limitText}'; give 1 to {MaxPending} workloads per page (default {MaxPending}), and offset for the next page");
        }

        var queues = controller.Cache.Queues.Snapshot();
        if (queues.All(q => q.Metadata?.Name != name))
        {
            var known = queues.Select(q => q.Metadata?.Name).OfType<string>().Order(StringComparer.Ordinal);
            return Problem(404, "name", $"there is no queue '{name}'; list queues with GET /api/v1/queues (or kubectl get queues.{KubernetesNames.Group}): {string.Join(", ", known)}");
        }

        if (!VisibleQueues.Of(viewer, queues, controller.Cache.Namespaces.Snapshot()).Contains(name))
        {
            return Problem(403, "name", $"user {viewer.User} may not see queue '{name}': none of the namespaces where they may list pods may use it; ask for a Role in a namespace its namespaceSelector admits, or for the ClusterRole berth-viewer");
        }

        return Results.Json(PendingWorkloads.Read(controller.Current(ReadingAge), name, viewer.Sees, offset, limit), ViewJson.Options);
    }

    private static IResult Problem(int status, string field, string detail) => Results.Problem(
        detail: detail,
        statusCode: status,
        title: status switch { 400 => "Bad request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not found", 405 => "Method not allowed", _ => "Error" },
        type: $"https://berth.dev/problems/{status}",
        extensions: new Dictionary<string, object?> { ["field"] = field });
}
