using Berth.Engine.Admission;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Runtime.Cycle;

/// <summary>
/// One decision, as a pure function of a <see cref="ClusterView"/>: the engine is built fresh from the view (a
/// restart and a normal cycle take the same path), run once, and its outcome turned into a <see cref="CyclePlan"/>.
///
/// 1. build the engine: unhealthy GPUs withheld; running workloads restored where their pods are (or are planned
///    to be), except those on unhealthy nodes or past the pods-ready timeout, which are requeued, and those past their
///    max run time, which stop; capacity of pods
///    Berth does not account for withheld; what is free on unusable nodes withheld; pending workloads submitted;
/// 2. bind the pods of running workloads that are not bound yet (to their planned place, or all at once);
/// 3. run the admission cycle: victims requeued first, then admissions with their bindings;
/// 4. record why each workload that is not running waits, and its place in its queue;
/// 5. measure quota use, allocation and fragmentation.
/// </summary>
public sealed partial class DecisionCycle
{
    private readonly ClusterView _view;
    private readonly CycleOptions _options;
    private readonly CyclePlan _plan;
    private readonly AdmissionScheduler _engine;
    private readonly Dictionary<string, ViewNode> _nodes = new(StringComparer.Ordinal);

    /// <summary>Nodes where bindings wait: pods that are leaving (evicted, terminating) or that Berth cannot account for still hold them.</summary>
    private readonly HashSet<string> _contended = new(StringComparer.Ordinal);

    private readonly HashSet<string> _requeued = new(StringComparer.Ordinal);

    private long _withheldUnusableGpuMilli;

    private DecisionCycle(ClusterView view, CycleOptions options)
    {
        _view = view;
        _options = options;
        foreach (var node in view.Nodes)
        {
            // A node about to be reclaimed takes nothing new, whatever its driver said.
            _nodes.TryAdd(node.Name, node.TerminationNotice is null ? node : node with { Usable = false });
        }

        // Every node is in the engine's view (what runs on a cordoned node is still charged); what is free on an
        // unusable one is withheld after what runs there is restored.
        var nodes = _nodes.Values.Select(n => n.Node).OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
        _engine = new AdmissionScheduler(nodes, view.Configuration, options.Admission, new FixedTime(view.Now));
        _plan = new CyclePlan { Engine = _engine };
    }

    /// <summary>Plans one cycle. Never throws for anything found in the view; what it cannot use is reported in the plan's warnings.</summary>
    public static CyclePlan Plan(ClusterView view, CycleOptions options)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(options);
        var cycle = new DecisionCycle(view, options);
        cycle.BuildEngine();
        cycle.PlaceAdmitted();
        cycle.Admit();
        cycle.Explain();
        cycle.Measure();
        return cycle._plan;
    }

    private TimeSpan Offset(DateTimeOffset at) => at - _view.Now;

    private void BuildEngine()
    {
        var engine = _engine;

        // Disruption budgets count evictions over a window longer than one decision: the driver keeps them.
        foreach (var queue in _view.RecentDisruptions)
        {
            if (queue.Times.Count > 0 && _view.Configuration.Queues.Any(q => q.Name == queue.Queue))
            {
                engine.RestoreDisruptions(queue.Queue, queue.Times.Select(Offset));
            }
        }

        foreach (var node in _nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            if (Withholding.UnhealthyGpus(node) is { } bad)
            {
                engine.Withhold(node.Name, bad.Request, bad.GpuMask);
                _plan.UnhealthyGpus += bad.Request.GpuCount;
            }
        }

        // Running workloads first: their pods (and planned places) are the truth Berth wrote. Those whose pods carry
        // their GPU indices go before those whose pods another scheduler placed without saying which GPUs (a Job's
        // pods under the default scheduler take the lowest free ones), so that known indices are never taken.
        foreach (var workload in _view.Workloads.Where(w => w.Running && w.Problem is null)
            .OrderBy(w => w.Members.Any(m => m.Bound && m.GpuMask is null && m.UsesGpu))
            .ThenBy(w => w.Id, StringComparer.Ordinal))
        {
            if (WorkloadLifecycle.UnhealthyMember(workload, _nodes) is { } reason)
            {
                Requeue(workload, EvictionReason.NodeUnhealthy, reason);
                continue;
            }

            if (WorkloadLifecycle.OnReclaimedNode(workload, _nodes) is { } reclaimed)
            {
                foreach (var pod in workload.Members.Where(m => m.Bound))
                {
                    _plan.Steps.Add(new CheckpointStep(workload.Id, pod.Key, reclaimed));
                }

                Requeue(workload, EvictionReason.SpotReclaimed, reclaimed);
                continue;
            }

            if (WorkloadLifecycle.PastMaxRunTime(workload, _view.Now) is { } overdue)
            {
                Stop(workload, WorkloadLifecycle.MaxRunTimeExceededReason, overdue);
                continue;
            }

            if (NotReadyInTime(workload) is { } late)
            {
                RequeueNotReady(workload, late);
                continue;
            }

            Restore(workload);
        }

        // Groups whose admission was taken back while their pods still run: evict those pods again.
        foreach (var workload in _view.Workloads.Where(w => w.Problem?.Code == PodWaitReasons.Evicting))
        {
            foreach (var pod in workload.Members.Where(m => m.Bound))
            {
                _plan.Steps.Add(new EvictPodStep(workload.Id, pod.Key, PodWaitReasons.Evicting, workload.Problem!.Message));
                _contended.Add(pod.Node!);
            }
        }

        // Then pods Berth does not account for (other schedulers, pods still terminating, pods of workloads requeued
        // just now): they hold what they hold. Where they do not fit beside the planned places, the node is contended:
        // nothing is bound there until they are gone.
        var held = _view.Held.Concat(_view.Workloads.Where(w => _requeued.Contains(w.Id)).SelectMany(w => w.Members.Where(m => m.Bound).Select(AsHeld)))
            .OrderBy(h => h.Key, StringComparer.Ordinal);
        foreach (var pod in held)
        {
            if (_nodes.ContainsKey(pod.Node) && !engine.Withhold(pod.Node, pod.Request, pod.GpuMask))
            {
                _contended.Add(pod.Node);
                if (!pod.Leaving)
                {
                    _plan.Warnings.Add($"pod {pod.Key} on {pod.Node} asks for more than the node has free in Berth's view; nothing more is bound there until that changes");
                }
            }
        }

        // Cordoned, unready or GPU-unhealthy nodes take nothing new: what is free there is withheld.
        foreach (var node in _nodes.Values.Where(n => !n.Usable).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            _withheldUnusableGpuMilli += Withholding.WithholdFree(engine, node.Name);
        }

        foreach (var workload in _view.Workloads.Where(w => !w.Running && w.MissingMembers == 0 && w.Problem is null).OrderBy(w => w.Created).ThenBy(w => w.Id, StringComparer.Ordinal))
        {
            var state = engine.Submit(workload.Workload, Offset(workload.Created));
            if (state.Phase == WorkloadPhase.Failed)
            {
                _plan.Steps.Add(new PendingStep(workload.Id, nameof(PendingReasonCode.NeverFits), state.Reason.Message, state.Reason.Flavor));
            }
        }
    }

    /// <summary>A bound member of a workload requeued in this cycle: it holds its node until it is gone.</summary>
    private static HeldCapacity AsHeld(ViewPod pod) => new(pod.Key, pod.Node!, pod.Request, pod.GpuMask, Leaving: false);

    private void Restore(ViewWorkload workload)
    {
        var flavor = RunningShape.FlavorOf(workload, _view.Configuration, _nodes);
        if (flavor is null)
        {
            _plan.Warnings.Add($"{workload.Id} runs but no flavor of queue {workload.Workload.Queue} matches its nodes; its quota is not charged");
            return;
        }

        var pods = new List<RestoredPod>();
        var bound = new int[workload.Workload.PodSets.Count];

        // Bound pods hold what they hold, whoever bound them (a Job's pods may be placed by another scheduler).
        foreach (var pod in workload.Members.Where(m => m.Bound))
        {
            pods.Add(new RestoredPod(pod.PodSet, pod.Node!, pod.GpuMask ?? 0));
            bound[pod.PodSet]++;
        }

        // Planned places of pods not bound yet stay reserved: take them from the memo, skipping those bound pods already hold.
        if (workload.Memo is { } memo)
        {
            var taken = pods.ToList();
            foreach (var planned in memo.Pods)
            {
                if (!_nodes.TryGetValue(planned.Node, out var target) || !target.Usable)
                {
                    continue; // its planned node takes nothing new now: the pod is placed again elsewhere, with the rest
                }

                var slot = new RestoredPod(planned.PodSet, planned.Node, planned.GpuMask);
                var index = taken.IndexOf(slot);
                if (index >= 0)
                {
                    taken.RemoveAt(index);
                    continue;
                }

                if (workload.KeepsPlannedPlaces && planned.PodSet < bound.Length && bound[planned.PodSet] < workload.Workload.PodSets[planned.PodSet].Count)
                {
                    pods.Add(slot);
                    bound[planned.PodSet]++;
                }
            }
        }

        var counts = RunningShape.AdmittedCounts(workload);
        _engine.Restore(workload.Workload, flavor, pods, workload.Memo?.AdmittedAt is { } at ? Offset(at) : Offset(workload.Created), out var misfits, counts);
        if (workload.GpuActivity is { } activity)
        {
            if (activity is >= 0 and <= 1)
            {
                _engine.ObserveActivity(workload.Id, activity);
            }
            else
            {
                _plan.Warnings.Add($"{workload.Id}: GPU activity {activity} is not a share from 0 to 1; the sample is ignored");
            }
        }

        foreach (var misfit in misfits)
        {
            _contended.Add(misfit.Node);
            _plan.Warnings.Add($"{workload.Id}: a pod of set {misfit.PodSet} said to be on {misfit.Node} (GPUs {Gpus.Format(misfit.GpuMask)}) does not fit there in Berth's view");
        }
    }
}
