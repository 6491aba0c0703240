namespace Berth.Engine.Admission.Victims;

/// <summary>
/// The candidates a preemption reads (step 1 of <see cref="Actions.Preempt.PreemptionSearch.TryPreempt"/>): the
/// eligible workloads of the preemptor's queue and of the queues it may take from, in victim order (least work lost,
/// then lowest priority, most recently started, id), with the lowest of each queue.
///
/// Where every preemptible workload of the flavor is eligible, in plain victim order (no queue with a minimum runtime
/// or a disruption budget, no idle-GPU policy that puts idle workloads first), they are merged from those queues'
/// lanes, kept as workloads start and end (<see cref="VictimPool"/>, <see cref="VictimMerge"/>): a few queues read, no
/// pass over every running workload. Otherwise, or when a lane is found out of order, the flavor's whole list is built
/// and read at those queues' positions; the two give the same sequence (the order is total).
///
/// The whole lists (<see cref="EligibleVictims"/>) are worked out once per flavor and read by every attempt until
/// they could differ: one cycle tries the same heads again and again (every eviction starts a new round), and
/// rebuilding and sorting the running workloads for each attempt was most of a cycle's time. A list depends only on
/// the flavor's admitted workloads, the queues' disruption records and the current time, so it is kept while the
/// scheduler's admitted version, its generation and the time stay as they were. Building it has the side effects
/// the attempt itself had (retry times from minimum runtimes and spent disruption budgets); those only ever lower the
/// retry time, which rises again only when a cycle reaches it and starts a new generation, so reading a kept list
/// leaves the retry time exactly as rebuilding it would have.
/// </summary>
internal sealed class ReadableVictims(AdmissionScheduler s)
{
    private readonly VictimMerge _merge = new();
    private EvictionCandidates?[]? _victimLists;
    private int[] _positions = [];
    private WorkloadState[] _readable = [];
    private bool? _plain;

    /// <summary>How many reads were merged from lanes; for tests.</summary>
    public long Merged { get; private set; }

    /// <summary>
    /// The eligible workloads of flavor <paramref name="f"/> in queue <paramref name="q"/> and in the queues
    /// <paramref name="others"/> marks, in victim order; <paramref name="lowestOwn"/> is the whole list's lowest per
    /// queue, or null when every preemptible workload is eligible (then <see cref="QueueVictims.Lowest"/> says).
    /// Valid until the next call. Without <paramref name="mayMerge"/>, always from the whole list (the reference the
    /// property tests compare the merge with). Without <paramref name="readOwn"/>, queue <paramref name="q"/>'s own
    /// workloads are left out too (no strategy could take them: its policy never preempts within the queue).
    /// </summary>
    public ReadOnlySpan<WorkloadState> Of(int q, int f, bool[] others, TimeSpan now, bool mayMerge, out WorkloadState?[]? lowestOwn, bool readOwn = true)
    {
        _plain ??= s.QueueArray.All(queue => queue.MinRuntime <= TimeSpan.Zero && queue.DisruptionBudget is null);
        if (mayMerge && _plain.Value && !s.IdlePolicies && TryMerge(q, f, others, now, readOwn))
        {
            Merged++;
            lowestOwn = null;
            return _merge.Merged;
        }

        var eligible = EligibleVictims(f, now);
        var items = eligible.Items;
        var positions = ReadablePositions(eligible, q, others, readOwn);
        if (_readable.Length < positions.Length)
        {
            _readable = new WorkloadState[Math.Max(64, 2 * positions.Length)];
        }

        for (var i = 0; i < positions.Length; i++)
        {
            _readable[i] = items[positions[i]].W;
        }

        lowestOwn = eligible.LowestOwn;
        return _readable.AsSpan(0, positions.Length);
    }

    /// <summary>Merges the lanes of queue <paramref name="q"/> (when <paramref name="readOwn"/>) and of the queues <paramref name="others"/> marks; false when a lane was out of order.</summary>
    private bool TryMerge(int q, int f, bool[] others, TimeSpan now, bool readOwn)
    {
        _merge.Begin();
        for (var vq = 0; vq < others.Length; vq++)
        {
            if ((vq == q && readOwn) || others[vq])
            {
                _merge.Add(s.Store.Victims.Of(f, vq), now);
            }
        }

        return _merge.Run(now);
    }

    /// <summary>
    /// The whole list, the part of a preemption's step 1 that does not depend on the preemptor: the admitted workloads of
    /// flavor <paramref name="f"/> that are preemptible, within their queue's disruption budget and past its minimum
    /// runtime, in the order victims are taken (least work lost, then lowest priority, then most recently started, then id);
    /// also, per queue, the lowest of them (a victim of another queue that could take a lower one of its own is passed over).
    /// </summary>
    private EvictionCandidates EligibleVictims(int f, TimeSpan now)
    {
        _victimLists ??= new EvictionCandidates?[s.Flavors.Count];
        var list = _victimLists[f] ??= new EvictionCandidates(s.QueueArray.Length);
        if (list.IsCurrent(s.AdmittedVersion, s.Generation, now))
        {
            return list;
        }

        list.Reset(s.AdmittedVersion, s.Generation, now);
        foreach (var v in s.Store.AdmittedIn(f))
        {
            if (!v.Workload.Preemptible || s.DisruptionsLeft(v.QueueIndex, now) == 0)
            {
                continue;
            }

            var minRuntime = s.QueueArray[v.QueueIndex].MinRuntime;
            if (now - v.AdmittedAt < minRuntime)
            {
                var eligible = v.AdmittedAt + minRuntime;
                s.RetryBy(eligible);
                continue;
            }

            // An idle workload under a PreemptFirst or Reclaim policy goes before every other: its key is below any real loss.
            list.Add(v, s.IdlePolicies && IdleGpus.GoesFirst(v, s.QueueArray[v.QueueIndex].IdleGpus, now) ? -1 : v.LostSeconds(now) * v.Usage.GpuMilli);
            ref var lowest = ref list.LowestOwn[v.QueueIndex];
            if (lowest is not { } c || v.Workload.Priority < c.Workload.Priority
                || (v.Workload.Priority == c.Workload.Priority && (v.Workload.SubmitTime > c.Workload.SubmitTime || (v.Workload.SubmitTime == c.Workload.SubmitTime && v.Sequence > c.Sequence))))
            {
                lowest = v;
            }
        }

        list.Sort(VictimOrder.Instance);
        return list;
    }

    /// <summary>
    /// The positions in <paramref name="eligible"/> of the candidates of queue <paramref name="q"/> (when
    /// <paramref name="readOwn"/>) and of the queues <paramref name="others"/> marks, ascending: every candidate a
    /// preemption does not pass over at once.
    /// </summary>
    private ReadOnlySpan<int> ReadablePositions(EvictionCandidates eligible, int q, bool[] others, bool readOwn)
    {
        var count = 0;
        for (var vq = 0; vq < others.Length; vq++)
        {
            if ((vq == q && readOwn) || others[vq])
            {
                var positions = eligible.PositionsOf(vq);
                if (_positions.Length < count + positions.Count)
                {
                    Array.Resize(ref _positions, Math.Max(64, 2 * (count + positions.Count)));
                }

                positions.CopyTo(_positions, count);
                count += positions.Count;
            }
        }

        var span = _positions.AsSpan(0, count);
        span.Sort();
        return span;
    }
}
