using System.Runtime.CompilerServices;

namespace Berth.Web.BrowserTests;

/// <summary>
/// A read-only view source of fixed content, as a Kubernetes cluster would give (source <c>kubernetes</c>, no logs): two
/// queues, one node, a running and a pending job. It stands for any host of <see cref="IClusterViews"/> in the page's
/// read-only tests.
/// </summary>
internal sealed class FixedViews : IClusterViews
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly JobView[] _jobs =
    [
        new JobView { Id = "ns-a/train", Queue = "team-a", User = "ns-a", State = JobState.Running, Gpus = 2, Pods = 1, Created = At, StartedAt = At, Placement = [new PlacementView("ns-a/train-0", "gpu-1", [0, 1], 1)] },
        new JobView { Id = "ns-b/tune", Queue = "team-b", User = "ns-b", State = JobState.Pending, Gpus = 4, Pods = 1, Created = At, Pending = new PendingView("QuotaExceeded", "queue team-b has no GPU quota left", "default"), QueuePosition = 1 },
    ];

    public string Source => "kubernetes";

    public bool ReadOnly => true;

    public bool Logs => false;

    public JobList Jobs(JobQuery query, ViewScope scope)
    {
        var items = _jobs.Where(j => scope.CanSee(j.Queue) && (query.Queue is null || j.Queue == query.Queue) && (query.State is null || j.State == query.State) && (query.User is null || j.User == query.User)).ToArray();
        return new JobList(items, null, items.Length);
    }

    public JobView? Job(string id, ViewScope scope) => _jobs.FirstOrDefault(j => j.Id == id && scope.CanSee(j.Queue)) is { } job ? job with { Events = [new EventView(At, "Created", "workload created")], Reasons = [] } : null;

    public IReadOnlyList<QueueView> Queues(ViewScope scope) =>
        new[] { new QueueView("team-a", "all", 1, [new QuotaView("default", "gpu", 4, 2)], 0, 0, 1), new QueueView("team-b", "all", 1, [new QuotaView("default", "gpu", 4, 0)], 1, 0, 0) }.Where(q => scope.CanSee(q.Name)).ToArray();

    public IReadOnlyList<CohortView> Cohorts(ViewScope scope) => [new CohortView("all", null, ["team-a", "team-b"], [new QuotaView("default", "gpu", 8, 2)])];

    public IReadOnlyList<NodeView> Nodes(ViewScope scope) =>
        [new NodeView("gpu-1", 64, 512, new Dictionary<string, string>(), Enumerable.Range(0, 4).Select(g => new GpuView(g, "A100", g < 2 ? 0 : 1, g < 2 ? [new GpuHolder("ns-a/train", "ns-a/train-0", 1)] : []) { Healthy = g != 3 }).ToArray(), Cordoned: true)];

    public TimelineView Timeline(ViewScope scope, DateTimeOffset? since) => new(4, [new TimelinePoint(At, 2, 1, 0, 0, null)]);

    public ChangeSubscription Subscribe(ViewScope scope) => new(Never(default), () => { });

    private static async IAsyncEnumerable<ChangeView> Never([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        yield break;
    }
}
