using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Web;

/// <summary>
/// The visibility API for scripts, <c>GET /api/v1/queues/{name}/pending?offset=&amp;limit=</c>, modelled on Kueue's
/// <c>visibility.kueue.x-k8s.io</c> pending workloads: one page of a queue's waiting workloads with their positions and
/// reasons. A source that implements <see cref="IPendingWorkloads"/> answers itself; for another (the server) the page
/// is read from its jobs list: positions in queue as the jobs carry them, the cohort's queues interleaved oldest first.
/// </summary>
public static class PendingWorkloadEndpoints
{
    /// <summary>Most workloads one page holds, and the default (Kueue's default limit).</summary>
    public const int MaxPage = 1000;

    internal static void Map(RouteGroupBuilder api, IClusterViews views, Func<HttpContext, ViewScope> scope) =>
        api.MapGet("/queues/{name}/pending", (HttpContext http, string name, string? offset, string? limit) => Pending(views, scope(http), name, offset, limit))
            .WithTags("queues").WithName("ListPendingWorkloads").Produces<PendingWorkloadsView>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

    private static IResult Pending(IClusterViews views, ViewScope scope, string name, string? offsetText, string? limitText)
    {
        var offset = 0;
        if (offsetText is not null && !int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            return Problems.BadRequest("offset", $"offset is '{offsetText}'; give how many waiting workloads to skip, 0 or more");
        }

        var limit = MaxPage;
        if (limitText is not null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPage))
        {
            return Problems.BadRequest("limit", $"limit is '{limitText}'; give 1 to {MaxPage} workloads per page (default {MaxPage}), and offset for the next page");
        }

        var all = views.Queues(ViewScope.All);
        if (all.All(q => q.Name != name))
        {
            return Problems.Of(StatusCodes.Status404NotFound, "name", $"there is no queue '{name}'; list queues with GET /api/v1/queues");
        }

        if (!scope.CanSee(name))
        {
            return Problems.Of(StatusCodes.Status403Forbidden, "name", $"you may not see queue '{name}': with berth serve use a token for that queue; on Kubernetes get a Role that lists pods in a namespace the queue admits, or the ClusterRole berth-viewer");
        }

        var page = views is IPendingWorkloads own ? own.Pending(name, offset, limit, scope) : FromJobs(views, all, name, offset, limit, scope);
        return Results.Json(page, ApiJson.Responses);
    }

    /// <summary>The page read from the jobs list: every waiting job of the cohort's queues counts for positions, the items are those in the scope.</summary>
    private static PendingWorkloadsView FromJobs(IClusterViews views, IReadOnlyList<QueueView> queues, string name, int offset, int limit, ViewScope scope)
    {
        var cohort = queues.First(q => q.Name == name).Cohort;
        var members = cohort is null ? [name] : queues.Where(q => q.Cohort == cohort).Select(q => q.Name).Order(StringComparer.Ordinal).ToArray();
        var lines = members.ToDictionary(q => q, q => InQueueOrder(views, q), StringComparer.Ordinal);
        var inCohort = new Dictionary<string, int>(StringComparer.Ordinal);
        var heads = lines.Values.Select(l => new Queue<JobView>(l.Where(j => j.QueuePosition is not null))).Where(l => l.Count > 0).ToList();
        while (heads.Count > 0)
        {
            var next = heads.MinBy(l => (l.Peek().Created, l.Peek().Queue))!;
            inCohort[next.Dequeue().Id] = inCohort.Count + 1;
            if (next.Count == 0)
            {
                heads.Remove(next);
            }
        }

        var items = lines[name].Where(j => scope.CanSee(j.Queue, null)).Select(j => new PendingWorkloadView(j.Id, j.Name ?? j.Id, null, "Job", null, j.Created, j.QueuePosition, j.Pending ?? new PendingView("Pending", j.Message ?? string.Empty, j.Flavor))
        {
            PriorityClass = j.PriorityClass,
            PositionInCohort = cohort is null ? j.QueuePosition : inCohort.TryGetValue(j.Id, out var c) ? c : null,
            Gpus = j.Gpus,
            Pods = j.Pods,
            ExpectedStart = j.ExpectedStart,
        }).ToArray();
        return new PendingWorkloadsView(name, cohort, null, items.Length, offset, limit, items.Skip(offset).Take(limit).ToArray());
    }

    /// <summary>Every waiting job of <paramref name="queue"/>: in its queue's order first, then those without a position, oldest first.</summary>
    private static List<JobView> InQueueOrder(IClusterViews views, string queue)
    {
        var jobs = new List<JobView>();
        string? after = null;
        do
        {
            var page = views.Jobs(new JobQuery(queue, JobState.Pending, null, after, ClusterViewEndpoints.MaxPage), ViewScope.All);
            jobs.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        return [.. jobs.OrderBy(j => j.QueuePosition ?? int.MaxValue).ThenBy(j => j.Created).ThenBy(j => j.Id, StringComparer.Ordinal)];
    }
}
