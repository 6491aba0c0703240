using Berth.Engine.Admission;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Runtime.Cycle;

/// <summary>Binding the pods of running workloads that are not bound yet.</summary>
public sealed partial class DecisionCycle
{
    /// <summary>Binds the pods of running workloads that are not bound yet: to their planned place, else all remaining at once.</summary>
    private void PlaceAdmitted()
    {
        foreach (var workload in _view.Workloads.Where(w => w.Running && _engine.Find(w.Id) is { Phase: WorkloadPhase.Admitted }).OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            var unbound = workload.Members.Where(m => !m.Bound && m.BerthScheduled).ToList();
            if (unbound.Count == 0)
            {
                continue;
            }

            var state = _engine.Find(workload.Id)!;
            if (WaitsForNodes(workload, state))
            {
                continue;
            }

            var free = FreePlacements(workload, state);
            var missing = unbound.Where(m => !free.Any(p => p.PodSet == m.PodSet)).ToList();
            if (missing.Count > 0 || unbound.Count > free.Count)
            {
                // No planned places for them (a gang without an owner, or a crash before the memo): place the rest at once.
                var counts = state.Counts;
                var present = workload.Members.GroupBy(m => m.PodSet).ToDictionary(g => g.Key, g => g.Count());
                if (counts.Select((c, s) => present.GetValueOrDefault(s) >= c).All(x => x))
                {
                    var added = _engine.PlaceRemaining(workload.Id);
                    if (added is null)
                    {
                        foreach (var pod in unbound)
                        {
                            _plan.Steps.Add(new PodWaitsStep(workload.Id, pod.Key, nameof(PendingReasonCode.GangIncomplete), $"{workload.Id} is admitted but its remaining pods do not all fit now; they are bound together when they do", WithEvent: false));
                        }

                        continue;
                    }

                    free = FreePlacements(workload, state);
                    if (WaitsForNodes(workload, state))
                    {
                        continue; // the new places are on nodes still being freed: bound together once they are
                    }
                }
            }

            foreach (var pod in unbound)
            {
                var index = free.FindIndex(p => p.PodSet == pod.PodSet);
                if (index < 0)
                {
                    // Beyond the count it was admitted with (an elastic group admitted at its minimum).
                    _plan.Steps.Add(new PodWaitsStep(workload.Id, pod.Key, PodWaitReasons.BeyondAdmittedCount, $"{workload.Id} was admitted with {state.Pods.Count} pods; this one is beyond that count and waits", WithEvent: false));
                    continue;
                }

                var place = free[index];
                free.RemoveAt(index);
                _plan.Steps.Add(Bind(pod, place, workload.Id));
            }
        }
    }

    /// <summary>
    /// True (and its pods told why) when a placement of the workload is on a contended node: its pods are bound
    /// all together once the pods leaving those nodes are gone, never beside them.
    /// </summary>
    private bool WaitsForNodes(ViewWorkload workload, WorkloadState state)
    {
        var nodes = state.Pods.Select(p => _engine.Cluster.Nodes[p.Node].Name).Where(_contended.Contains).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (nodes.Length == 0)
        {
            return false;
        }

        var message = $"{workload.Id} is admitted; its pods are bound once the pods leaving {string.Join(", ", nodes.Take(4))}{(nodes.Length > 4 ? ", ..." : string.Empty)} are gone";
        foreach (var pod in workload.Members.Where(m => !m.Bound && m.BerthScheduled))
        {
            _plan.Steps.Add(new PodWaitsStep(workload.Id, pod.Key, PodWaitReasons.WaitingForNodes, message, WithEvent: false));
        }

        return true;
    }

    /// <summary>Placements of the workload that no bound pod holds, in order.</summary>
    private List<PodPlacement> FreePlacements(ViewWorkload workload, WorkloadState state)
    {
        var free = state.Pods.ToList();
        foreach (var pod in workload.Members.Where(m => m.Bound && m.BerthScheduled))
        {
            var node = _engine.NodeIndexOf(pod.Node!);
            var index = free.FindIndex(p => p.PodSet == pod.PodSet && p.Node == node && (pod.GpuMask is null || p.GpuMask == pod.GpuMask));
            if (index >= 0)
            {
                free.RemoveAt(index);
            }
        }

        return free;
    }

    private BindStep Bind(ViewPod pod, PodPlacement place, string workload) =>
        new(workload, pod.Key, _engine.Cluster.Nodes[place.Node].Name, place.GpuMask, place.Pod.GpuCount, place.Pod.GpuMilli);
}
