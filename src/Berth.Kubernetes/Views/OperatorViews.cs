using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Berth.Kubernetes.Controller;
using Berth.Web;

namespace Berth.Kubernetes.Views;

/// <summary>
/// The dashboard's views over the operator's cache and decisions, read-only: the workloads Berth queues (Jobs,
/// PodGroups, gangs, lone pods; <c>user</c> is a workload's namespace), queues and cohorts with quota from the last
/// decision, nodes with the pods holding each GPU, a timeline sampled per decision, and changes between decisions as
/// events. A standby replica answers from its own reading of its cache (<see cref="BerthController.Current"/>).
/// Every answer is filtered by the caller's scope: queues, and namespaces within them. Thread-safe.
/// </summary>
public sealed class OperatorViews : IClusterViews, IPendingWorkloads
{
    /// <summary>How old a standby's reading may be before a view asks for a new one.</summary>
    public static readonly TimeSpan ReadingAge = TimeSpan.FromSeconds(2);

    private const int MaxHistory = 50;
    private const int SubscriberBuffer = 1024;

    private readonly BerthController _controller;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly TimelineWindow _timeline = new();
    private readonly Dictionary<string, List<ReasonView>> _reasons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<EventView>> _events = new(StringComparer.Ordinal);
    private readonly List<Channel<ChangeView>> _subscribers = [];
    private readonly Lock _build = new();
    private ClusterPicture? _picture;
    private Decision? _latest;

    /// <param name="time">The clock of the times waited that a view reports (the decision's own time is the snapshot's).</param>
    public OperatorViews(BerthController controller, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(time);
        _controller = controller;
        _time = time;
        controller.Decided += OnDecided;
    }

    public string Source => "kubernetes";

    public bool ReadOnly => true;

    public bool Logs => false;

    /// <summary>
    /// Jobs in submit order (creation, then id); the cursor is the last item's creation time and id, so a page after it
    /// stays right while the list changes between decisions.
    /// </summary>
    public JobList Jobs(JobQuery query, ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        (long Ticks, string Id)? cursor = null;
        if (query.After is { } after)
        {
            var bar = after.IndexOf('|', StringComparison.Ordinal);
            if (bar <= 0 || !long.TryParse(after[..bar], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                throw new ViewException("after", "after is not a cursor; pass the 'next' value of the previous page");
            }

            cursor = (ticks, after[(bar + 1)..]);
        }

        var matching = (Picture()?.Jobs ?? []).Where(j => (query.Queue is null || j.View.Queue == query.Queue) && (query.State is null || j.View.State == query.State)
            && (query.User is null || j.Namespace == query.User) && scope.CanSee(j.View.Queue, j.Namespace)).ToArray();
        var rest = cursor is { } c
            ? matching.SkipWhile(j => j.View.Created.UtcTicks < c.Ticks || (j.View.Created.UtcTicks == c.Ticks && string.CompareOrdinal(j.View.Id, c.Id) <= 0))
            : matching;
        var page = rest.Take(query.Limit + 1).ToArray();
        var now = _time.GetUtcNow();
        var items = page.Take(query.Limit).Select(j => Waited(j.View, now)).ToArray();
        var next = page.Length > query.Limit ? string.Create(CultureInfo.InvariantCulture, $"{items[^1].Created.UtcTicks}|{items[^1].Id}") : null;
        return new JobList(items, next, matching.Length);
    }

    public JobView? Job(string id, ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var picture = Picture();
        if (picture is null || !picture.ById.TryGetValue(id, out var job) || !scope.CanSee(job.View.Queue, job.Namespace))
        {
            return null;
        }

        lock (_gate)
        {
            return Waited(job.View, _time.GetUtcNow()) with
            {
                Reasons = _reasons.TryGetValue(id, out var reasons) ? reasons.ToArray() : [],
                Events = _events.TryGetValue(id, out var events) ? events.ToArray() : [],
            };
        }
    }

    public IReadOnlyList<QueueView> Queues(ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var picture = Picture();
        if (picture is null)
        {
            return [];
        }

        var decision = picture.Decision;
        var outcomes = decision.Plan.Outcomes;
        var queues = decision.Snapshot.Queues.Where(q => q.Metadata?.Name is { } n && scope.CanSee(n)).OrderBy(q => q.Metadata.Name, StringComparer.Ordinal).ToArray();
        return queues.Select(q =>
        {
            var name = q.Metadata.Name;
            var weight = q.Spec?.Weight is > 0 and var w ? w : 1.0;
            var peers = q.Spec?.Cohort is { } cohort
                ? decision.Snapshot.Queues.Where(p => p.Spec?.Cohort == cohort).Select(p => p.Metadata?.Name).OfType<string>().ToHashSet(StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal) { name };
            var (rows, share) = QuotaRows.Of(name, weight, peers, decision.Plan.Quota);
            var (used, idle) = decision.Plan.Yield.TryGetValue(name, out var y) ? ClusterPicture.Busy([y]) : (null, null);
            return new QueueView(name, q.Spec?.Cohort, weight, rows, outcomes.Count(o => o.Queue == name && !o.Running), 0, outcomes.Count(o => o.Queue == name && o.Running))
            {
                Share = share,
                StopPolicy = q.Spec?.StopPolicy ?? "None",
                UsedGpus = used,
                IdleGpus = idle,
            };
        }).ToArray();
    }

    public IReadOnlyList<CohortView> Cohorts(ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var picture = Picture();
        if (picture is null)
        {
            return [];
        }

        var snapshot = picture.Decision.Snapshot;
        var quota = picture.Decision.Plan.Quota;
        var names = snapshot.Cohorts.Select(c => c.Metadata?.Name).Concat(snapshot.Queues.Select(q => q.Spec?.Cohort)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return names.Select(name =>
        {
            var spec = snapshot.Cohorts.FirstOrDefault(c => c.Metadata?.Name == name)?.Spec;
            var members = snapshot.Queues.Where(q => q.Spec?.Cohort == name).Select(q => q.Metadata?.Name).OfType<string>().Order(StringComparer.Ordinal).ToArray();
            var rows = quota.Where(g => members.Contains(g.Queue)).GroupBy(g => (g.Flavor, g.Resource))
                .OrderBy(g => g.Key.Flavor, StringComparer.Ordinal).ThenBy(g => g.Key.Resource, StringComparer.Ordinal)
                .Select(g => new QuotaView(g.Key.Flavor, g.Key.Resource, g.Sum(x => x.Nominal), g.Sum(x => x.Used)) { Borrowed = g.Sum(x => Math.Max(0, x.Used - x.Nominal)) })
                .ToArray();
            var (used, idle) = ClusterPicture.Busy(members.Where(picture.Decision.Plan.Yield.ContainsKey).Select(m => picture.Decision.Plan.Yield[m]));
            return new CohortView(name, spec?.Parent, members.Where(scope.CanSee).ToArray(), rows) { Weight = spec?.Weight is > 0 and var w ? w : 1.0, UsedGpus = used, IdleGpus = idle };
        }).Where(c => scope.Queues is null || c.Queues.Count > 0).ToArray();
    }

    public IReadOnlyList<NodeView> Nodes(ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return (Picture()?.Nodes ?? []).Select(n => new NodeView(
            n.Name,
            n.Cpu,
            n.MemoryGiB,
            n.Labels,
            n.Gpus.Select(g => new GpuView(g.Index, g.Model, Math.Round(Math.Max(0, 1 - g.Held), 3), g.Holders.Select(h => Holder(h, scope)).ToArray()) { Healthy = g.Healthy, Activity = g.Holders.Count > 0 ? g.Activity : null }).ToArray(),
            n.Cordoned)).ToArray();
    }

    public TimelineView Timeline(ViewScope scope, DateTimeOffset? since) => new(Picture()?.TotalGpus ?? 0, _timeline.Since(since));

    public ChangeSubscription Subscribe(ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var channel = Channel.CreateBounded<ChangeView>(new BoundedChannelOptions(SubscriberBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return new ChangeSubscription(Read(channel.Reader, scope, default), () =>
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }

            channel.Writer.TryComplete();
        });
    }

    public PendingWorkloadsView Pending(string queue, int offset, int limit, ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return PendingWorkloads.Read(Picture()?.Decision, queue, ns => scope.Namespaces is null || scope.Namespaces.Contains(ns), offset, limit);
    }

    /// <summary>A waiting job's time waited until <paramref name="now"/> (the picture says until its decision).</summary>
    private static JobView Waited(JobView job, DateTimeOffset now) =>
        job.State == JobState.Pending ? job with { WaitedSeconds = Math.Round(Math.Max(0, (now - job.Created).TotalSeconds), 3) } : job;

    /// <summary>A GPU's holder as <paramref name="scope"/> may see it: who, or only that it is taken.</summary>
    private static GpuHolder Holder(GpuHold hold, ViewScope scope)
    {
        var inNamespace = scope.Namespaces is null || scope.Namespaces.Contains(hold.Namespace);
        return hold.Job is not null && hold.Queue is not null
            ? scope.CanSee(hold.Queue, hold.Namespace) ? new GpuHolder(hold.Job, hold.Pod, hold.Share) : new GpuHolder("(not yours)", string.Empty, hold.Share)
            : new GpuHolder("(not queued)", inNamespace && scope.Queues is null ? hold.Namespace + "/" + hold.Pod : inNamespace ? hold.Pod : string.Empty, hold.Share);
    }

    private static async IAsyncEnumerable<ChangeView> Read(ChannelReader<ChangeView> reader, ViewScope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var change in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (scope.CanSee(change.Queue, change.Job.Split(':') is [_, var ns, _] ? ns : null))
            {
                yield return change;
            }
        }
    }

    /// <summary>
    /// The picture of the newest decision (a standby makes a fresh reading when its last is old). A reader that arrives
    /// before the background build of that decision has finished builds it itself, so an answer never lags a decision.
    /// </summary>
    private ClusterPicture? Picture()
    {
        if (_controller.Current(ReadingAge) is { } decision)
        {
            Offer(decision);
            Advance();
        }

        lock (_gate)
        {
            return _picture;
        }
    }

    /// <summary>
    /// On the decision loop: only notes the decision and queues its picture on the thread pool, so a large cluster's
    /// picture (about 0.1-0.2 s at 10,000 workloads, docs/PERFORMANCE.md) never delays the next decision.
    /// </summary>
    private void OnDecided(Decision decision)
    {
        Offer(decision);
        _ = Task.Run(Advance);
    }

    /// <summary>Keeps <paramref name="decision"/> as the newest to picture unless a newer one is already kept.</summary>
    private void Offer(Decision decision)
    {
        lock (_gate)
        {
            if (_latest is null || _latest.Snapshot.Now <= decision.Snapshot.Now)
            {
                _latest = decision;
            }
        }
    }

    /// <summary>
    /// Pictures the newest decision offered, once (builds run one at a time; one that finds it done does nothing), then
    /// records its timeline point and the changes since the previous picture (events, reason history, subscribers).
    /// Decisions offered while a build runs are skipped but for the newest: the changes coalesce.
    /// </summary>
    private void Advance()
    {
        lock (_build)
        {
            Decision? decision;
            lock (_gate)
            {
                decision = _latest;
                if (decision is null || ReferenceEquals(_picture?.Decision, decision))
                {
                    return;
                }
            }

            var picture = ClusterPicture.Build(decision);
            lock (_gate)
            {
                Apply(decision, picture);
            }
        }
    }

    /// <summary>Makes <paramref name="picture"/> the one shown; callers hold the gate.</summary>
    private void Apply(Decision decision, ClusterPicture picture)
    {
        var previous = _picture;
        _picture = picture;
        _timeline.Add(picture.Point());
        if (previous is null)
        {
            foreach (var job in picture.Jobs.Where(j => j.View.Pending is not null))
            {
                Append(_reasons, job.View.Id, new ReasonView(decision.Snapshot.Now, job.View.Pending!.Code, job.View.Pending.Message)); // the reason it had when first seen
            }
        }

        foreach (var change in JobChanges.Between(previous, picture))
        {
            Remember(change, picture);
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(change);
            }
        }

        foreach (var gone in _events.Keys.Concat(_reasons.Keys).Where(id => !picture.ById.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToArray())
        {
            _events.Remove(gone);
            _reasons.Remove(gone);
        }
    }

    private void Remember(ChangeView change, ClusterPicture picture)
    {
        Append(_events, change.Job, new EventView(change.At, change.Kind, change.Message));
        if (picture.ById.TryGetValue(change.Job, out var job) && job.View.Pending is { } pending)
        {
            Append(_reasons, change.Job, new ReasonView(change.At, pending.Code, pending.Message));
        }
    }

    private static void Append<T>(Dictionary<string, List<T>> history, string id, T item)
    {
        if (!history.TryGetValue(id, out var list))
        {
            history[id] = list = [];
        }

        list.Add(item);
        if (list.Count > MaxHistory)
        {
            list.RemoveAt(0);
        }
    }
}
