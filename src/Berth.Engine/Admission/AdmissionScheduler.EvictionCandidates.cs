namespace Berth.Engine.Admission;

// Who may be evicted or moved, per flavor, worked out once and read by every preemption and consolidation
// attempt until it could differ. One cycle tries the same heads again and again (every eviction starts a new
// round); rebuilding and sorting the list of running workloads for each attempt was most of a cycle's time.
//
// A list depends only on the flavor's admitted workloads (set, start times, usage), the queues' disruption
// records and the current time, so it is kept while all of those stay as they were: _admittedVersion counts
// their changes, and the key also holds the time and the generation. Building it has the side effects the
// attempt itself had (retry times from minimum runtimes and spent disruption budgets). Those only ever lower
// _retryAt, which is raised again only when a cycle reaches it, and that starts a new generation; so within
// one key, reading the list again leaves _retryAt exactly as rebuilding it would have.
public sealed partial class AdmissionScheduler
{
    private long _admittedVersion;
    private EvictionCandidates?[]? _moverLists;

    /// <summary>
    /// Step 2 of <see cref="TryConsolidate"/>: the admitted workloads of flavor <paramref name="f"/> that are preemptible,
    /// past their queue's minimum runtime and within its disruption budget; the first <see cref="MaxMovedPerConsolidation"/>
    /// times 4 of them by least work lost, then smallest, then submission order.
    /// </summary>
    private ReadOnlySpan<WorkloadState> Movers(int f, TimeSpan now)
    {
        _moverLists ??= new EvictionCandidates?[_flavors.Length];
        var list = _moverLists[f] ??= new EvictionCandidates(0);
        if (!list.IsCurrent(_admittedVersion, _generation, now))
        {
            list.Reset(_admittedVersion, _generation, now);
            foreach (var m in _admittedByFlavor[f])
            {
                if (m.Workload.Preemptible && now - m.AdmittedAt >= _queues[m.QueueIndex].MinRuntime && DisruptionsLeft(m.QueueIndex, now) > 0)
                {
                    list.Add(m, m.LostSeconds(now) * m.Usage.GpuMilli);
                }
            }

            list.Sort(MoverOrder.Instance);
            list.Truncate(MaxMovedPerConsolidation * 4);
        }

        return list.Workloads;
    }
}
