namespace Berth.Engine.Admission;

// Consolidation (KAI Scheduler): when a gang's GPUs are free in total but scattered, move running,
// relocatable workloads so that the free pieces join, and only if every moved workload has a new place.
public sealed partial class AdmissionScheduler
{
    /// <summary>The most running workloads one consolidation may move.</summary>
    public const int MaxMovedPerConsolidation = 8;

    /// <summary>
    /// Tries to admit <paramref name="w"/> in flavor <paramref name="f"/> (its quota already fits, and it has waited
    /// past the starvation threshold) by moving others:
    /// 1. only when the flavor's free GPU covers the gang (otherwise this is a shortage, not fragmentation);
    /// 2. movers: admitted workloads of the flavor that are preemptible and past their queue's minimum
    ///    runtime, least work lost since their last checkpoint first, then the smallest;
    /// 3. take movers one at a time off their nodes until the gang can be placed, then place every mover
    ///    again (largest first) on what is left; give up if any cannot be placed;
    /// 4. commit: each mover is restarted on its new nodes (evicted with reason Consolidated and admitted
    ///    again at once, keeping its quota), then the gang is admitted.
    /// </summary>
    private bool TryConsolidate(WorkloadState w, int f, int[] counts, TimeSpan now)
    {
        var demand = RequestOf(w, counts).GpuMilli;
        if (demand > _flavorFreeGpu[f])
        {
            return false;
        }

        var movers = _admittedByFlavor[f]
            .Where(m => m.Workload.Preemptible && now - m.AdmittedAt >= _queues[m.QueueIndex].MinRuntime && DisruptionsLeft(m.QueueIndex, now) > 0)
            .OrderBy(m => m.LostSeconds(now) * m.Usage.GpuMilli).ThenBy(m => m.Usage.GpuMilli).ThenBy(m => m.Sequence)
            .Take(MaxMovedPerConsolidation * 4)
            .ToArray();
        if (movers.Length == 0)
        {
            return false;
        }

        var checkpoint = _statement.Checkpoint();
        var total = counts.Sum();
        var pods = PodsFor(w, f);
        var removed = new List<WorkloadState>();
        foreach (var mover in movers)
        {
            if (removed.Count == MaxMovedPerConsolidation)
            {
                break;
            }

            if (removed.Count(r => r.QueueIndex == mover.QueueIndex) >= DisruptionsLeft(mover.QueueIndex, now))
            {
                continue; // its queue's disruption budget is spent
            }

            foreach (var p in mover.Placements)
            {
                _statement.Release(p.Pod, p.Node, p.GpuMask);
            }

            removed.Add(mover);
            if (WholeGpuPodsThatFit(pods, counts, _flavorNodes[f]) < total)
            {
                continue;
            }

            var attempt = _statement.Checkpoint();
            if (!TryPlaceGang(w, f, counts, now, keep: true, out _))
            {
                continue;
            }

            var gang = _scratch.ToArray();
            var moved = new List<(WorkloadState Mover, PodPlacement[] Pods)>();
            foreach (var m in removed.OrderByDescending(m => m.Usage.GpuMilli).ThenBy(m => m.Sequence))
            {
                if (!TryPlaceGang(m, m.Flavor, m.Counts, now, keep: true, out _))
                {
                    moved = null;
                    break;
                }

                moved.Add((m, _scratch.ToArray()));
            }

            if (moved is null)
            {
                _statement.RollbackTo(attempt);
                continue;
            }

            // Commit: restart the movers where they now are, then admit the gang.
            _statement.Commit();
            foreach (var (m, placements) in moved.OrderBy(x => x.Mover.Sequence))
            {
                RecordDisruption(m.QueueIndex, now);
                Emit(new AdmissionEvent(now, AdmissionEventKind.Evicted, m.Id, _queues[m.QueueIndex].Name)
                {
                    Reason = "Consolidated",
                    Pods = m.Placements.Count,
                    GpuMilli = m.Usage.GpuMilli,
                    By = w.Id,
                    Detail = $"moved to make room for {w.Id}",
                });
                m.Evictions++;
                m.Placements.Clear();
                m.Placements.AddRange(placements);
                m.AdmittedAt = now;
                Emit(new AdmissionEvent(now, AdmissionEventKind.Admitted, m.Id, _queues[m.QueueIndex].Name)
                {
                    Flavor = _flavors[m.Flavor].Name,
                    Pods = m.Placements.Count,
                    GpuMilli = m.Usage.GpuMilli,
                    Detail = string.Join(' ', m.Placements.Select(p => _cluster.Nodes[p.Node].Name).Distinct(StringComparer.Ordinal)),
                });
            }

            _scratch.Clear();
            _scratch.AddRange(gang);
            Admit(w, f, counts, now);
            _statement.Commit();
            return true;
        }

        _statement.RollbackTo(checkpoint);
        return false;
    }
}
