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
    private readonly List<int>[] _positions = Enumerable.Range(0, queues).Select(_ => new List<int>()).ToArray();

    public int Count { get; private set; }

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

    /// <summary>Sorts by <paramref name="order"/>, whose first key must be <see cref="EvictionCandidate.Lost"/>: by that key alone, then each run of equal keys by the whole order.</summary>
    public void Sort(IComparer<EvictionCandidate> order)
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

        ClearPositions();
        for (var i = 0; i < Count; i++)
        {
            _workloads[i] = _items[i].W;
            if (_positions.Length > 0)
            {
                _positions[_items[i].W.QueueIndex].Add(i);
            }
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
