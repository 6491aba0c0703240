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
    private EvictionCandidates?[]? _victimLists;
    private EvictionCandidates?[]? _moverLists;

    /// <summary>
    /// Step 1 of <see cref="TryPreempt"/>, the part that does not depend on the preemptor: the admitted workloads of
    /// flavor <paramref name="f"/> that are preemptible, within their queue's disruption budget and past its minimum
    /// runtime, in the order victims are taken (least work lost, then lowest priority, then most recently started, then id);
    /// also, per queue, the lowest of them (for <see cref="WouldDisplaceOwn"/>).
    /// </summary>
    private EvictionCandidates EligibleVictims(int f, TimeSpan now)
    {
        _victimLists ??= new EvictionCandidates?[_flavors.Length];
        var list = _victimLists[f] ??= new EvictionCandidates(_queues.Length);
        if (list.IsCurrent(_admittedVersion, _generation, now))
        {
            return list;
        }

        list.Reset(_admittedVersion, _generation, now);
        foreach (var v in _admittedByFlavor[f])
        {
            if (!v.Workload.Preemptible || DisruptionsLeft(v.QueueIndex, now) == 0)
            {
                continue;
            }

            var minRuntime = _queues[v.QueueIndex].MinRuntime;
            if (now - v.AdmittedAt < minRuntime)
            {
                var eligible = v.AdmittedAt + minRuntime;
                _retryAt = eligible < _retryAt ? eligible : _retryAt;
                continue;
            }

            list.Add(v, v.LostSeconds(now) * v.Usage.GpuMilli);
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

    /// <summary>One flavor's list of running workloads that may be evicted or moved, and what it was built from.</summary>
    private sealed class EvictionCandidates(int queues)
    {
        private Candidate[] _items = [];
        private double[] _keys = [];
        private WorkloadState[] _workloads = [];
        private long _version = -1;
        private long _generation = -1;
        private TimeSpan _now;

        public int Count { get; private set; }

        public ReadOnlySpan<Candidate> Items => _items.AsSpan(0, Count);

        public ReadOnlySpan<WorkloadState> Workloads => _workloads.AsSpan(0, Count);

        /// <summary>Per queue, its lowest candidate: lowest priority, then newest (submit time, then sequence).</summary>
        public WorkloadState?[] LowestOwn { get; } = new WorkloadState?[queues];

        public bool IsCurrent(long version, long generation, TimeSpan now) => _version == version && _generation == generation && _now == now;

        public void Reset(long version, long generation, TimeSpan now)
        {
            Array.Clear(_items, 0, Count);
            Array.Clear(LowestOwn);
            Count = 0;
            _version = version;
            _generation = generation;
            _now = now;
        }

        public void Add(WorkloadState w, double lost)
        {
            if (Count == _items.Length)
            {
                Array.Resize(ref _items, Math.Max(64, 2 * Count));
            }

            _items[Count++] = new Candidate(w, lost);
        }

        /// <summary>Sorts by <paramref name="order"/>, whose first key must be <see cref="Candidate.Lost"/>: by that key alone, then each run of equal keys by the whole order.</summary>
        public void Sort(IComparer<Candidate> order)
        {
            if (_keys.Length < _items.Length)
            {
                _keys = new double[_items.Length];
            }

            for (var i = 0; i < Count; i++)
            {
                _keys[i] = _items[i].Lost;
            }

            Array.Sort(_keys, _items, 0, Count);
            for (var start = 0; start < Count;)
            {
                var end = start + 1;
                while (end < Count && _keys[end] == _keys[start])
                {
                    end++;
                }

                if (end - start > 1)
                {
                    _items.AsSpan(start, end - start).Sort(order);
                }

                start = end;
            }

            if (_workloads.Length < _items.Length)
            {
                _workloads = new WorkloadState[_items.Length];
            }

            for (var i = 0; i < Count; i++)
            {
                _workloads[i] = _items[i].W;
            }
        }

        public void Truncate(int count) => Count = Math.Min(Count, count);
    }

    /// <summary>A running workload and the work it would lose if evicted now (GPU-seconds since its last checkpoint).</summary>
    private readonly record struct Candidate(WorkloadState W, double Lost);

    /// <summary>Victims: least work lost, then lowest priority, then most recently started, then id.</summary>
    private sealed class VictimOrder : IComparer<Candidate>
    {
        public static readonly VictimOrder Instance = new();

        public int Compare(Candidate a, Candidate b)
        {
            var c = a.Lost.CompareTo(b.Lost);
            if (c != 0)
            {
                return c;
            }

            c = a.W.Workload.Priority.CompareTo(b.W.Workload.Priority);
            if (c != 0)
            {
                return c;
            }

            c = b.W.AdmittedAt.CompareTo(a.W.AdmittedAt);
            return c != 0 ? c : string.CompareOrdinal(a.W.Id, b.W.Id);
        }
    }

    /// <summary>Movers: least work lost, then smallest, then submission order.</summary>
    private sealed class MoverOrder : IComparer<Candidate>
    {
        public static readonly MoverOrder Instance = new();

        public int Compare(Candidate a, Candidate b)
        {
            var c = a.Lost.CompareTo(b.Lost);
            if (c != 0)
            {
                return c;
            }

            c = a.W.Usage.GpuMilli.CompareTo(b.W.Usage.GpuMilli);
            return c != 0 ? c : a.W.Sequence.CompareTo(b.W.Sequence);
        }
    }
}
