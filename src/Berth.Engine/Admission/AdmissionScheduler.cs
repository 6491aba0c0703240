using Berth.Engine.Admission.Actions;
using Berth.Engine.Admission.Actions.Allocate;
using Berth.Engine.Admission.Actions.Backfill;
using Berth.Engine.Admission.Actions.Consolidate;
using Berth.Engine.Admission.Actions.Preempt;
using Berth.Engine.Admission.Strategies;
using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Decides which workloads run: queues, quotas, cohorts, fair share, gangs, preemption, reservations
/// and backfill, with placement-aware admission (a workload is admitted only when every pod, or its min
/// count, is placed now by the placement engine, all or nothing).
///
/// One admission cycle (<see cref="Schedule"/>), repeated until a round admits nothing new:
/// 1. drain queues whose stop policy says so;
/// 2. with backfill, find the starving head and reserve nodes for it (<see cref="Reservation"/>);
/// 3. take each queue's head: its first pending workload not yet tried since capacity last freed
///    (StrictFIFO: only the very first);
/// 4. order the heads: the reservation holder first, then queue priority, then by fair share after admission
///    plus, with a usage half-life, the queue's decayed usage history (<see cref="UsageHistory"/>; neither with
///    FIFO profiles), then priority, submit time, submission order;
/// 5. try each in a statement: flavors in the queue's order (fungibility), quota with borrowing, then
///    the gang's placement; elastic ones at smaller sizes; then preemption; commit or roll back;
/// 6. record why each one that was not admitted waits.
///
/// Pending work and admitted usage are separate stores (<see cref="WorkloadStore"/>; the quota tree and the
/// cluster), moved between only by <see cref="WorkloadSteps"/>. Deterministic: every order ends in the submission sequence. Not thread-safe.
/// </summary>
public sealed partial class AdmissionScheduler
{
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _epoch;
    private readonly Placer _placer;
    private readonly ClusterState _cluster;
    private readonly QueueConfiguration _config;
    private readonly Queue[] _queues;
    private readonly Flavor[] _flavors;
    private readonly FlavorLayout _layout;
    private readonly AdmissionStatement _statement;
    private readonly GangRoom _room;
    private readonly GangPlacement _gangs;
    private readonly QuotaFit _quota;
    private readonly QueueUsageHistory _usage;
    private readonly PodByPodPlacement _podByPod;
    private readonly Restoration _restoration;
    private readonly Feasibility _feasibility;
    private readonly BackfillReservation _reservation;
    private readonly List<PodPlacement> _scratch = [];
    private readonly PodLedger _ledger;
    private long _admittedVersion;
    private long _generation;
    private TimeSpan _retryAt = TimeSpan.MaxValue;
    private readonly HeadWalk _walk;
    private readonly AdmissionCycle _cycle;
    private readonly IAdmissionAction[] _actions;
    private readonly HeadOrder _order;
    private readonly WorkloadSteps _steps;
    private readonly HeadWakes _heads;

    /// <summary>The most running workloads one consolidation may move.</summary>
    public const int MaxMovedPerConsolidation = 8;

    /// <summary>
    /// A usage history below this counts as none in the fair-share order, so that an old history fades out
    /// completely (a history of 1 within 20 half-lives of the queue's last borrowing) and the order falls back
    /// to the plain tie-break instead of being decided by a remainder far below any real difference in share.
    /// </summary>
    public const double NegligibleUsageHistory = 1e-6;

    public AdmissionScheduler(IReadOnlyList<Node> nodes, QueueConfiguration configuration, AdmissionOptions options, TimeProvider time, IReadOnlyList<Pod>? typicalPods = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        configuration.Validate();
        options.Validate();
        Options = options;
        _config = configuration;
        _time = time;
        _epoch = time.GetUtcNow();
        _cluster = new ClusterState(nodes);
        // Without typical pods one whole GPU stands for them, even with no GPU yet: fragment-aware profiles need a target.
        var typical = typicalPods is { Count: > 0 } ? typicalPods : [new Pod { Name = "typical", GpuCount = 1, GpuMilli = Limits.GpuMilliPerGpu }];
        _placer = new Placer(PlacementPolicies.Get(options.PlacementPolicy), new PluginContext(_cluster, TargetWorkload.FromPods(typical)), options.Seed);
        Quotas = new QuotaTree(configuration);
        _queues = configuration.Queues.ToArray();
        _flavors = configuration.Flavors.ToArray();
        Store = new WorkloadStore(_queues, _flavors.Length);
        _layout = new FlavorLayout(nodes, _flavors, _queues);
        _idlePolicies = _queues.Any(q => q.IdleGpus is not null);
        _statement = new AdmissionStatement(this);
        _room = new GangRoom(_cluster, _statement);
        _ledger = new PodLedger(_placer, _cluster, _layout, new ServingSpread(nodes));
        _gangs = new GangPlacement(this);
        _quota = new QuotaFit(this);
        _feasibility = new Feasibility(this);
        _podByPod = new PodByPodPlacement(this);
        _restoration = new Restoration(this);
        Preemption = new PreemptionSearch(this);
        _reservation = new BackfillReservation(this);
        Consolidation = new ConsolidationSearch(this);
        _walk = new HeadWalk(this);
        _usage = new QueueUsageHistory(Quotas, configuration.UsageHalfLife, _queues.Length);
        _actions = options.ResolveActions();
        Failures = new QuotaFailures(this, _actions);
        _order = new HeadOrder(this);
        _heads = new HeadWakes(_queues.Length);
        MarksNeeded = _actions.Any(a => string.Equals(a.Name, AdmissionActions.Backfill, StringComparison.Ordinal));
        Parking = new QueueParking(this, options.Incremental && options.Gangs && !MarksNeeded
            && !_actions.Any(a => a.Evicts));
        _cycle = new AdmissionCycle(this, _actions);
        _steps = new WorkloadSteps(this, _feasibility, _usage);
    }

    public AdmissionOptions Options { get; }

    /// <summary>Every workload, the pending sets, the admitted lists and the undrained events.</summary>
    internal WorkloadStore Store { get; }

    /// <summary>Quota trees whose walks replay, left out of the cycle (incremental admission).</summary>
    internal QueueParking Parking { get; }

    /// <summary>Reused quota failures and the floors of skips (incremental admission).</summary>
    internal QuotaFailures Failures { get; }

    /// <summary>True when the profile backfills, so walks keep the marks a reservation reads.</summary>
    internal bool MarksNeeded { get; }

    /// <summary>The current generation: bumped whenever capacity or quota frees, which resets every walk.</summary>
    internal long Generation => _generation;

    /// <summary>The flavors of every queue, in each queue's order.</summary>
    internal int[][] FlavorsOfQueues => _layout.OfQueue;

    public QuotaTree Quotas { get; }

    public ClusterState Cluster => _cluster;

    /// <summary>The statement every trial of the current cycle writes to.</summary>
    internal AdmissionStatement Statement => _statement;

    /// <summary>The preempt action's search (victim lists and scratch kept between attempts).</summary>
    internal PreemptionSearch Preemption { get; }

    /// <summary>The preemption strategies the preempt action asks, in order: the registry's (a test may extend it).</summary>
    internal IReadOnlyList<IPreemptionStrategy> Strategies { get; set; } = PreemptionStrategies.All;

    /// <summary>The consolidate action's search (mover lists and scratch kept between attempts).</summary>
    internal ConsolidationSearch Consolidation { get; }

    /// <summary>The placement engine (reserve, unreserve, place).</summary>
    internal Placer Placer => _placer;

    /// <summary>The nodes of flavor <paramref name="f"/>.</summary>
    internal int[] NodesOf(int f) => _layout.Nodes[f];

    /// <summary>Marks a change of the admitted workloads or their start times made outside <see cref="Admit"/> (a move).</summary>
    internal void AdmittedChanged() => _admittedVersion++;

    /// <summary>The pending workloads of queue <paramref name="q"/>, in queue order.</summary>
    internal SortedSet<WorkloadState> PendingIn(int q) => Store.PendingIn(q);

    /// <summary>Starts or keeps the backfill reservation for the starving head (the backfill action, each round).</summary>
    internal void UpdateReservation(TimeSpan now) => _reservation.Update(now);

    /// <summary>The nodes of flavor <paramref name="f"/> that <paramref name="w"/> may use now (see <see cref="BackfillReservation.AllowedNodes"/>).</summary>
    internal int[] AllowedNodes(WorkloadState w, int f, TimeSpan now, out bool reservedAway) => _reservation.AllowedNodes(w, f, now, out reservedAway);

    /// <summary>The current reservation, if a head is starving.</summary>
    public Reservation? CurrentReservation { get => _reservation.Current; internal set => _reservation.Current = value; }

    /// <summary>
    /// The expected start of a pending workload: its reservation's start when it holds one, else what
    /// <see cref="EstimateStarts"/> computes (null when nothing can be promised). Changes nothing.
    /// </summary>
    public TimeSpan? EstimateStart(string id)
    {
        var w = Store.Find(id);
        if (w is null || w.Phase != WorkloadPhase.Pending)
        {
            return null;
        }

        if (ReferenceEquals(_reservation.Current?.Holder, w))
        {
            return _reservation.Current!.Start;
        }

        return EstimateStarts().TryGetValue(id, out var start) ? start : null;
    }

    /// <summary>Where serving replicas run, per group and domain, and their spread placement.</summary>
    internal ServingSpread Spread => _ledger.Spread;

    /// <summary>Gang placement and topology domains.</summary>
    internal GangPlacement Gangs => _gangs;

    /// <summary>Total GPU milli of flavor <paramref name="f"/>'s nodes.</summary>
    internal long FlavorCapacityGpu(int f) => _layout.CapacityGpu[f];

    /// <summary>Starts a new generation: capacity or quota freed, so every head may be tried again.</summary>
    internal void CapacityFreed() => _generation++;

    /// <summary>Each queue's next workload to try (step 3).</summary>
    internal HeadWalk Walk => _walk;

    /// <summary>The <c>kube-default</c> profile's pod-by-pod placement.</summary>
    internal PodByPodPlacement PodByPod => _podByPod;

    /// <summary>When every head is tried again even if nothing else changed (backoffs, minimum runtimes, budgets, starvation).</summary>
    internal TimeSpan RetryAt { get => _retryAt; set => _retryAt = value; }

    /// <summary>Per queue, the head's backoff and waiting time, kept as the queue changes.</summary>
    internal HeadWakes HeadWakes => _heads;

    /// <summary>The queues, as the array the scheduler indexes (loops over every queue read this, not the interface).</summary>
    internal Queue[] QueueArray => _queues;

    /// <summary>Cheap whole-GPU bounds read before placement trials.</summary>
    internal GangRoom Room => _room;

    /// <summary>Free GPU milli per flavor, kept current as pods are placed and released.</summary>
    internal long[] FlavorFreeGpu => _layout.FreeGpu;

    /// <summary>The placements of the last gang placed with <c>keep</c> (<see cref="TryPlaceGang"/>), read by <see cref="Admit"/>.</summary>
    internal List<PodPlacement> Scratch => _scratch;

    /// <summary>Bumped whenever the admitted workloads, their start times or the disruption records change.</summary>
    internal long AdmittedVersion => _admittedVersion;

    /// <summary>True when some queue has an idle-GPU policy.</summary>
    internal bool IdlePolicies => _idlePolicies;

    /// <summary>Makes every head retried no later than <paramref name="at"/> (something may change then).</summary>
    internal void RetryBy(TimeSpan at) => _retryAt = at < _retryAt ? at : _retryAt;

    /// <summary>The flavors of queue <paramref name="q"/>, in the queue's order (indexes into <see cref="Flavors"/>).</summary>
    internal int[] FlavorsOf(int q) => _layout.OfQueue[q];

    /// <summary>The current time of the run (offset from when the scheduler was built).</summary>
    public TimeSpan Now => _time.GetUtcNow() - _epoch;

    /// <summary>GPU milli held by pods of workloads that are not all placed (only with <c>kube-default</c>): held idle.</summary>
    public long HeldIdleGpuMilli => _podByPod.HeldIdleGpuMilli;

    /// <summary>As <see cref="HeldIdleGpuMilli"/>, for one queue.</summary>
    public long HeldIdleGpuMilliOf(int queue) => _podByPod.HeldIdleOf(queue);

    /// <summary>The earliest future time at which a cycle could decide differently with nothing else happening (backoff ends, minimum runtimes pass, a head starts to starve).</summary>
    public TimeSpan? NextWakeUp { get; private set; }

    public IReadOnlyList<Queue> Queues => _queues;

    public IReadOnlyList<Flavor> Flavors => _flavors;

    public WorkloadState? Find(string id) => Store.Find(id);

    public IEnumerable<WorkloadState> Workloads => Store.InSubmissionOrder;

    public int PendingCount(int queue) => Store.PendingIn(queue).Count;

    /// <summary>
    /// The expected start of every pending workload for which one can be computed, from a what-if run
    /// that changes nothing: running workloads end at their expected end (admission + expected run time,
    /// else max run time; without either they never end in the what-if); at now and at each such end, the
    /// pending workloads are admitted in queue order (priority, submit time; a StrictFIFO queue in strict
    /// order; held queues and backoff left out) where quota and a whole-gang placement allow, and those then
    /// end at their own expected end. No arrivals and no preemption are assumed, so an estimate is what the
    /// current state promises, not a guarantee. Workloads that never fit in the what-if get no estimate.
    /// At most <paramref name="steps"/> future ends are visited.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> EstimateStarts(int steps = 10_000) =>
        new StartEstimates(this).Run(steps);

    /// <summary>
    /// The usage history h(q) of queue <paramref name="queue"/> now: the exponentially weighted average of its past
    /// weighted dominant-resource share, with the configured half-life (exact definition: <see cref="QueueUsageHistory.At"/>).
    /// Always 0 when the setting is off, and for a queue outside any cohort (it never borrows).
    /// </summary>
    public double UsageHistory(int queue) => _usage.At(queue, Now);

    /// <summary>What fair-share ordering adds to a head's share after admission (<see cref="QueueUsageHistory.Term"/>).</summary>
    internal double UsageHistoryTerm(int q, TimeSpan now) => _usage.Term(q, now);

    /// <summary>Takes the events since the last call, in order.</summary>
    public IReadOnlyList<AdmissionEvent> DrainEvents() => Store.DrainEvents();

    /// <summary>
    /// Adds a workload to its queue. A workload that can never be admitted (larger than its queue could
    /// ever hold in every flavor, or a pod no node of its flavors can host) fails at once with reason NeverFits.
    /// </summary>
    public WorkloadState Submit(Workload workload) => _steps.Submit(workload);

    /// <summary>An admitted workload ended: its pods and quota are freed.</summary>
    public void Finish(string id) => End(id, WorkloadPhase.Finished, null);

    /// <summary>Stops a workload for good (for example its max run time passed, or its gang never became ready).</summary>
    public void Fail(string id, string reason) => End(id, WorkloadPhase.Failed, reason);

    /// <summary>
    /// Stops an admitted workload and puts it back in its queue, not to be tried before
    /// <paramref name="backoff"/> has passed. <paramref name="reason"/> is the event's reason code.
    /// </summary>
    public void Evict(string id, string reason, TimeSpan backoff = default, bool notReady = false) => _steps.Evict(id, reason, backoff, notReady);

    /// <summary>Changes a queue's stop policy (hold, hold and drain, or none).</summary>
    public void SetStopPolicy(string queue, StopPolicy stop) => _steps.SetStopPolicy(queue, stop);

    /// <summary>
    /// The reason a pending workload waits now, as a person should read it: its recorded reason, except that
    /// one not yet tried behind the head of a StrictFIFO queue is BehindHead.
    /// </summary>
    public PendingReason ReasonOf(WorkloadState workload) => Store.ReasonOf(workload, _queues, Options.StrategyOverride);

    /// <summary>Position of a pending workload in its queue (1 = head), or null when it is not pending.</summary>
    public int? PositionInQueue(string id) => Store.PositionInQueue(id);

    /// <summary><see cref="PositionInQueue"/> of every pending workload, in one pass per queue (asking one by one is quadratic).</summary>
    public IReadOnlyDictionary<string, int> PositionsInQueues() => Store.PositionsInQueues();

    /// <summary>Runs admission cycles until a round admits nothing new; returns how many workloads were admitted.</summary>
    public int Schedule()
    {
        var now = Now;
        if (now >= _retryAt)
        {
            _retryAt = TimeSpan.MaxValue;
            _generation++;
        }

        // 0. Idle GPUs: report, and stop those reclaimed.
        if (_idlePolicies)
        {
            ApplyIdlePolicies(now);
        }

        // 1-6.
        var admitted = _cycle.Run(now);
        NextWakeUp = _cycle.WakeUp(now);
        _usage.Record(Now);
        return admitted;
    }

    /// <summary>
    /// Step 4. The fair-share key of a head is its queue's weighted dominant-resource share after admitting it
    /// (<see cref="QuotaTree.Share"/>), plus, when <see cref="QueueConfiguration.UsageHalfLife"/> is set, the
    /// queue's usage history (<see cref="UsageHistoryTerm"/>): lower goes first.
    /// </summary>
    internal void OrderCandidates(List<WorkloadState> candidates, TimeSpan now) => _order.Sort(candidates, Parking.RoundKeys, now);

    internal double OrderKey(WorkloadState w, TimeSpan now) => _order.Key(w, now);

    internal int CompareCandidates(double keyA, WorkloadState a, double keyB, WorkloadState b) => _order.Compare(keyA, a, keyB, b);

    /// <summary>The holder of the backfill reservation, if any (it goes first in step 4).</summary>
    internal WorkloadState? ReservationHolder => _reservation.Current?.Holder;

    /// <summary>The configured usage half-life (null: no usage history in the order).</summary>
    internal TimeSpan? UsageHalfLife => _config.UsageHalfLife;

    internal bool TryPlaceAndAdmit(WorkloadState w, int f, int[] counts, TimeSpan now, out PendingReason reason)
    {
        if (TryPlaceGang(w, f, counts, now, keep: true, out reason))
        {
            Admit(w, f, counts, now);
            _statement.Commit();
            return true;
        }

        return false;
    }

    /// <summary>Places every pod of the gang, all or nothing (see <see cref="GangPlacement.TryPlace"/>).</summary>
    internal bool TryPlaceGang(WorkloadState w, int f, int[] counts, TimeSpan now, bool keep, out PendingReason reason, HashSet<int>? usedNodes = null) =>
        _gangs.TryPlace(w, f, counts, now, keep, out reason, usedNodes);

    /// <summary>Commits the placements in <see cref="_scratch"/> as the admission of <paramref name="w"/>.</summary>
    internal void Admit(WorkloadState w, int f, int[] counts, TimeSpan now) => _steps.Admit(w, f, counts, now);

    private void End(string id, WorkloadPhase phase, string? reason) => _steps.End(id, phase, reason);

    /// <summary>Frees an admitted workload's pods and quota and puts it back in its queue (it keeps its submit time).</summary>
    internal void EvictAdmitted(WorkloadState w, string reason, string? by, string detail) => _steps.EvictAdmitted(w, reason, by, detail);

    internal void ReservePod(Pod pod, int node, int mask) => _ledger.Reserve(pod, node, mask);

    internal void ReleasePod(Pod pod, int node, int mask) => _ledger.Release(pod, node, mask);

    /// <summary><paramref name="pod"/> was placed on <paramref name="node"/> by the placer (see <see cref="PodLedger.Placed"/>).</summary>
    internal void AfterReserve(Pod pod, int node) => _ledger.Placed(pod, node);

    /// <summary>Null when the request fits the queue's quota in the flavor now; otherwise why not (<see cref="QuotaFit.Check"/>).</summary>
    internal PendingReason? QuotaCheck(int q, int f, Resources request, bool preemptible) => _quota.Check(q, f, request, preemptible);

    /// <summary>True exactly when <see cref="QuotaCheck"/> gives null, without building a reason.</summary>
    internal bool QuotaFits(int q, int f, Resources request, bool preemptible) => _quota.Fits(q, f, request, preemptible);

    /// <summary>True when admitting <paramref name="request"/> would take queue <paramref name="q"/> past its nominal quota in flavor <paramref name="f"/>.</summary>
    internal bool Borrows(int q, int f, Resources request) => _quota.Borrows(q, f, request);

    /// <summary>False when <paramref name="w"/> could never be admitted in flavor <paramref name="f"/>, even on an empty cluster (worked out once).</summary>
    internal bool CouldEverFit(WorkloadState w, int f) => _feasibility.CouldEverFit(w, f);

    /// <summary>The workload's pods for flavor <paramref name="f"/>: named, with the flavor's tolerations added.</summary>
    internal Pod[] PodsFor(WorkloadState w, int f) => _ledger.Spread.Know(w, w.PodsFor(f, _flavors));

    internal void SetReason(WorkloadState w, PendingReason reason)
    {
        var changed = w.Reason.Code != reason.Code || !string.Equals(w.Reason.Flavor, reason.Flavor, StringComparison.Ordinal);
        w.Reason = reason;
        if (changed)
        {
            Parking.Touch(w.QueueIndex);
            Emit(new AdmissionEvent(Now, AdmissionEventKind.Pending, w.Id, _queues[w.QueueIndex].Name) { Reason = reason.Code.ToString(), Flavor = reason.Flavor, Detail = reason.Message });
        }
    }

    internal void Emit(AdmissionEvent e) => Store.Events.Add(e);
}
