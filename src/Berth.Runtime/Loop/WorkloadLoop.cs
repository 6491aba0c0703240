using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Runtime.Loop;

/// <summary>
/// The decision loop over one engine that lives as long as its driver, for drivers that move their own time forward
/// event by event (the job-level simulator): rebuilding the engine every event, as <see cref="Cycle.DecisionCycle"/>
/// does from a view, is too slow for replays of a million jobs. The driver reports what happened to workloads in
/// neutral terms (arrived, finished, ran out of run time, missed the pods-ready deadline, admission checks answered);
/// the loop applies the lifecycle rules of <see cref="WorkloadLifecycle"/> (requeue with doubling backoff, failure past
/// the limit, the stop codes), runs one admission cycle on <see cref="Cycle"/>, and returns the outcome as plan steps.
/// Pure: time is the injected <see cref="TimeProvider"/>. Not thread-safe: one driver calls it.
/// </summary>
public sealed class WorkloadLoop
{
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Flavor> _flavors;
    private readonly Dictionary<string, int> _checkRetries = new(StringComparer.Ordinal);
    private readonly List<PlanStep> _caused = [];

    /// <summary>Reclaimed nodes, down until they return: what is withheld on each.</summary>
    private readonly Dictionary<string, (Pod Pod, int Mask)> _down = new(StringComparer.Ordinal);

    /// <param name="nodes">The cluster's nodes.</param>
    /// <param name="configuration">Queues, cohorts, flavors and admission checks.</param>
    /// <param name="options">The admission options (a profile applied), with the lifecycle's timeout, backoff base and limit.</param>
    /// <param name="time">The loop's clock (a virtual one in a simulation).</param>
    /// <param name="typicalPods">Pods that stand for the workload mix, for the fragmentation measure (null: the engine's default).</param>
    public WorkloadLoop(IReadOnlyList<Node> nodes, QueueConfiguration configuration, AdmissionOptions options, TimeProvider time, IReadOnlyList<Pod>? typicalPods = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        Options = options;
        Engine = new AdmissionScheduler(nodes, configuration, options, time, typicalPods);
        _flavors = configuration.Flavors.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// The engine the loop owns: a driver reads its state (usage, pending counts, the next wake-up) and restores an
    /// initial state through it before the first cycle; every later change goes through the loop.
    /// </summary>
    public AdmissionScheduler Engine { get; }

    public AdmissionOptions Options { get; }

    /// <summary>When the engine wants a cycle again with nothing else happening (a backoff or a reservation ends), if ever.</summary>
    public TimeSpan? NextWakeUp => Engine.NextWakeUp;

    /// <summary>A workload was submitted: it joins its queue (or fails at once if it can never fit).</summary>
    public void Arrived(Workload workload) => Engine.Submit(workload);

    /// <summary>A running workload finished its work.</summary>
    public void Finished(string id) => Engine.Finish(id);

    /// <summary>A running workload reached its max run time: it stops for good with <see cref="WorkloadLifecycle.MaxRunTimeExceededReason"/>.</summary>
    public void RanOutOfTime(string id) => Engine.Fail(id, WorkloadLifecycle.MaxRunTimeExceededReason);

    /// <summary>
    /// After admission, how long the driver waits before it reports <see cref="ReadyDeadlinePassed"/> for a workload
    /// whose pods need <paramref name="startup"/> to be ready: the pods-ready timeout when they miss it, else null.
    /// </summary>
    public TimeSpan? ReadyDeadline(TimeSpan startup) =>
        WorkloadLifecycle.MissesReadyTimeout(startup, Options.GangReadyTimeout) ? Options.GangReadyTimeout : null;

    /// <summary>
    /// The pods of an admitted workload were not all ready within the pods-ready timeout: it is requeued with doubling
    /// backoff (<see cref="EvictionReason.GangNotReady"/>), or fails past the backoff limit.
    /// </summary>
    public void ReadyDeadlinePassed(string id)
    {
        var state = Engine.Find(id) ?? throw new ArgumentException($"workload {id} is not known to the engine; report a ready deadline only for an admitted workload", nameof(id));
        var next = WorkloadLifecycle.NextRequeue(state.NotReadyEvictions, Options);
        if (next.Fails)
        {
            Engine.Fail(id, EvictionReason.GangNotReady.Code());
            return;
        }

        Engine.Evict(id, EvictionReason.GangNotReady.Code(), next.Backoff, notReady: true);
        _caused.Add(new BackoffStep(id, next.Attempt, _time.GetUtcNow() + next.Backoff));
    }

    /// <summary>
    /// A spot node is reclaimed: every workload with a pod there is requeued (<see cref="EvictionReason.SpotReclaimed"/>;
    /// it loses the work since its last checkpoint), and the whole node is withheld until <see cref="NodeReturned"/>.
    /// Returns the workloads requeued.
    /// </summary>
    public IReadOnlyList<string> NodeReclaimed(string node)
    {
        var index = -1;
        for (var i = 0; i < Engine.Cluster.Nodes.Count && index < 0; i++)
        {
            index = Engine.Cluster.Nodes[i].Name == node ? i : -1;
        }

        if (index < 0)
        {
            throw new ArgumentException($"node {node} is not in the cluster", nameof(node));
        }

        var hit = Engine.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted && w.Pods.Any(p => p.Node == index)).Select(w => w.Id).ToArray();
        foreach (var id in hit)
        {
            Engine.Evict(id, EvictionReason.SpotReclaimed.Code());
        }

        var whole = WholeNode(Engine.Cluster.Nodes[index]);
        var mask = Engine.Cluster.Nodes[index].GpuCount >= 32 ? -1 : (1 << Engine.Cluster.Nodes[index].GpuCount) - 1;
        if (Engine.Withhold(node, whole, mask))
        {
            _down[node] = (whole, mask);
        }

        return hit;
    }

    /// <summary>A reclaimed node is back (a new spot instance): its capacity takes work again.</summary>
    public void NodeReturned(string node)
    {
        if (_down.Remove(node, out var held))
        {
            Engine.Unwithhold(node, held.Pod, held.Mask);
        }
    }

    private static Pod WholeNode(Node node) => new()
    {
        Name = "reclaimed",
        CpuMilli = node.CpuMilli,
        MemoryMiB = node.MemoryMiB,
        GpuCount = node.GpuCount,
        GpuMilli = node.GpuCount > 0 ? Limits.GpuMilliPerGpu : 0,
    };

    /// <summary>How many times the admission checks of workload <paramref name="id"/> asked for a retry so far.</summary>
    public int CheckRetries(string id) => _checkRetries.GetValueOrDefault(id);

    /// <summary>
    /// The admission checks of an admitted workload answered: all ready (<paramref name="retry"/> false) and it starts
    /// (returns true); or one asked for a retry, and it is requeued with doubling backoff
    /// (<see cref="EvictionReason.AdmissionCheckRetry"/>), or fails past the backoff limit with
    /// <see cref="WorkloadLifecycle.AdmissionCheckRejectedReason"/> (returns false).
    /// </summary>
    public bool ChecksAnswered(string id, bool retry)
    {
        if (!retry)
        {
            return true;
        }

        var previous = CheckRetries(id);
        _checkRetries[id] = previous + 1;
        var next = WorkloadLifecycle.NextRequeue(previous, Options);
        if (next.Fails)
        {
            Engine.Fail(id, WorkloadLifecycle.AdmissionCheckRejectedReason);
            return false;
        }

        Engine.Evict(id, EvictionReason.AdmissionCheckRetry.Code(), next.Backoff);
        _caused.Add(new BackoffStep(id, next.Attempt, _time.GetUtcNow() + next.Backoff));
        return false;
    }

    /// <summary>Runs one admission cycle at the clock's time and returns what changed since the last one.</summary>
    public LoopOutcome Cycle()
    {
        Engine.Schedule();
        var events = Engine.DrainEvents();
        var steps = new List<PlanStep>(_caused.Count + events.Count);
        steps.AddRange(_caused);
        _caused.Clear();
        foreach (var e in events)
        {
            if (StepOf(e) is { } step)
            {
                steps.Add(step);
            }
        }

        return new LoopOutcome(steps, events);
    }

    /// <summary>
    /// The step of one engine event; null for a change of pending reason, which stays in the events (a replay of a
    /// million jobs makes many, and a driver that shows reasons asks the engine for the current one).
    /// </summary>
    private PlanStep? StepOf(AdmissionEvent e) => e.Kind switch
    {
        AdmissionEventKind.Submitted => new QueuedStep(e.Workload),
        AdmissionEventKind.Admitted => Admitted(e),
        AdmissionEventKind.Pending => null,
        AdmissionEventKind.Evicted => new RequeueStep(e.Workload, EvictionReasons.Of(e), e.Detail) { By = e.By },
        AdmissionEventKind.Finished => new CompletedStep(e.Workload),
        AdmissionEventKind.Failed => new StopStep(e.Workload, e.Reason ?? string.Empty, e.Detail),
        AdmissionEventKind.Idle => new IdleStep(e.Workload, e.Detail),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "an engine event kind the loop does not know; add its step here"),
    };

    /// <summary>
    /// The admission as a step. The memo holds the places the workload has after the cycle: empty when it was admitted
    /// and sent back in the same cycle (an elastic workload shrunk, a move), whose later event says so.
    /// </summary>
    private AdmitStep Admitted(AdmissionEvent e)
    {
        var state = Engine.Find(e.Workload);
        var places = state is { Phase: WorkloadPhase.Admitted } ? new PlannedPlacement[state.Pods.Count] : [];
        for (var i = 0; i < places.Length; i++)
        {
            var p = state!.Pods[i];
            places[i] = new PlannedPlacement(p.PodSet, Engine.Cluster.Nodes[p.Node].Name, p.GpuMask, p.Pod.GpuMilli);
        }

        var flavor = _flavors[e.Flavor ?? throw new ArgumentException($"admission event of {e.Workload} names no flavor", nameof(e))];
        return new AdmitStep(e.Workload, flavor, new AdmissionMemo(flavor.Name, _time.GetUtcNow(), places)) { Pods = e.Pods, GpuMilli = e.GpuMilli };
    }
}
