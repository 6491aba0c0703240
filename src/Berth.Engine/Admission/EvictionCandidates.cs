namespace Berth.Engine.Admission;

/// <summary>One flavor's list of running workloads that may be evicted or moved, and what it was built from.</summary>
internal sealed class EvictionCandidates(int queues)
{
    private EvictionCandidate[] _items = [];
    private double[] _keys = [];
    private WorkloadState[] _workloads = [];
    private long _version = -1;
    private long _generation = -1;
    private TimeSpan _now;
    private EvictionCandidate[] _slots = []; // previous rank -> candidate, while sorting from the previous order
    private EvictionCandidate[] _kept = [];
    private EvictionCandidate[] _fresh = [];
    private long _build;
    private int _previousCount;
    private readonly List<int>[] _positions = Enumerable.Range(0, queues).Select(_ => new List<int>()).ToArray();

    public int Count { get; private set; }

    /// <summary>How many builds were sorted from the previous order (the rest in full); for tests.</summary>
    public long SortedFromPrevious { get; private set; }

    /// <summary>How many builds there were; for tests.</summary>
    public long Builds => _build;

    public ReadOnlySpan<EvictionCandidate> Items => _items.AsSpan(0, Count);

    public ReadOnlySpan<WorkloadState> Workloads => _workloads.AsSpan(0, Count);

    /// <summary>
    /// The positions in <see cref="Items"/> of queue <paramref name="q"/>'s candidates, ascending (kept by <see cref="Sort"/>
    /// when the list was made with queues): a search that may take from a few queues reads only theirs.
    /// </summary>
    public List<int> PositionsOf(int q) => _positions[q];

    /// <summary>Per queue, its lowest candidate: lowest priority, then newest (submit time, then sequence).</summary>
    public WorkloadState?[] LowestOwn { get; } = new WorkloadState?[queues];

    public bool IsCurrent(long version, long generation, TimeSpan now) => _version == version && _generation == generation && _now == now;

    public void Reset(long version, long generation, TimeSpan now)
    {
        Array.Clear(_items, 0, Count);
        Array.Clear(LowestOwn);
        ClearPositions();
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

        _items[Count++] = new EvictionCandidate(w, lost);
    }

    /// <summary>
    /// Sorts by <paramref name="order"/>, a total order whose first key must be <see cref="EvictionCandidate.Lost"/>.
    /// A list made with queues starts from its previous order (<see cref="TrySortFromPrevious"/>); any other, or when
    /// that order is too far off, sorts in full. The order is total, so both give the same list.
    /// </summary>
    public void Sort(IComparer<EvictionCandidate> order)
    {
        if (_positions.Length > 0 && TrySortFromPrevious(order))
        {
            SortedFromPrevious++;
        }
        else
        {
            SortByKey(_items, Count, order);
        }

        if (_workloads.Length < _items.Length)
        {
            _workloads = new WorkloadState[_items.Length];
        }

        ClearPositions();
        _build++;
        for (var i = 0; i < Count; i++)
        {
            _workloads[i] = _items[i].W;
            if (_positions.Length > 0)
            {
                _positions[_items[i].W.QueueIndex].Add(i);
                _items[i].W.VictimRank = (this, _build, i);
            }
        }

        _previousCount = Count;
    }

    /// <summary>
    /// Sorts <paramref name="items"/> by <see cref="EvictionCandidate.Lost"/> alone, then each run of equal keys by the
    /// whole <paramref name="order"/>.
    /// </summary>
    private void SortByKey(EvictionCandidate[] items, int count, IComparer<EvictionCandidate> order)
    {
        if (_keys.Length < count)
        {
            _keys = new double[items.Length];
        }

        for (var i = 0; i < count; i++)
        {
            _keys[i] = items[i].Lost;
        }

        Array.Sort(_keys, items, 0, count);
        for (var start = 0; start < count;)
        {
            var end = start + 1;
            while (end < count && _keys[end] == _keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                items.AsSpan(start, end - start).Sort(order);
            }

            start = end;
        }
    }

    /// <summary>
    /// Rebuilt once per cycle and after each admission or eviction, the list is mostly in the order of its previous
    /// build: the work lost by two workloads without checkpoints and of one size keeps its order as time passes. So the
    /// candidates of the previous build are put in their previous order and insertion-sorted (binary search, one
    /// move each), the new ones sorted apart, and the two merged. False, with the items untouched, when the moves
    /// would exceed a few per candidate (long gaps, many checkpoints passed): then a full sort is cheaper.
    /// </summary>
    private bool TrySortFromPrevious(IComparer<EvictionCandidate> order)
    {
        EnsureScratch();
        var fresh = 0;
        for (var i = 0; i < Count; i++)
        {
            var item = _items[i];
            var (list, build, rank) = item.W.VictimRank;
            if (ReferenceEquals(list, this) && build == _build)
            {
                _slots[rank] = item;
            }
            else
            {
                _fresh[fresh++] = item;
            }
        }

        var kept = 0;
        for (var r = 0; r < _previousCount; r++)
        {
            if (_slots[r].W is not null)
            {
                _kept[kept++] = _slots[r];
                _slots[r] = default;
            }
        }

        long budget = (4L * kept) + 64;
        for (var i = 1; i < kept; i++)
        {
            var item = _kept[i];
            if (order.Compare(_kept[i - 1], item) <= 0)
            {
                continue;
            }

            var (lo, hi) = (0, i - 1);
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                (lo, hi) = order.Compare(_kept[mid], item) > 0 ? (lo, mid) : (mid + 1, hi);
            }

            budget -= i - lo;
            if (budget < 0)
            {
                return false;
            }

            Array.Copy(_kept, lo, _kept, lo + 1, i - lo);
            _kept[lo] = item;
        }

        SortByKey(_fresh, fresh, order);
        int a = 0, b = 0, k = 0;
        while (a < kept && b < fresh)
        {
            _items[k++] = order.Compare(_kept[a], _fresh[b]) <= 0 ? _kept[a++] : _fresh[b++];
        }

        Array.Copy(_kept, a, _items, k, kept - a);
        Array.Copy(_fresh, b, _items, k + kept - a, fresh - b);
        return true;
    }

    private void EnsureScratch()
    {
        if (_slots.Length < Math.Max(_previousCount, Count))
        {
            _slots = new EvictionCandidate[Math.Max(_previousCount, _items.Length)];
        }

        if (_kept.Length < Count)
        {
            _kept = new EvictionCandidate[_items.Length];
            _fresh = new EvictionCandidate[_items.Length];
        }
    }

    private void ClearPositions()
    {
        foreach (var positions in _positions)
        {
            positions.Clear();
        }
    }

    /// <summary>Keeps the first <paramref name="count"/> (for movers, which do not read <see cref="PositionsOf"/>).</summary>
    public void Truncate(int count) => Count = Math.Min(Count, count);
}
