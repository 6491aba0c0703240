namespace Berth.Engine.Admission.Victims;

/// <summary>
/// The victims of a few queues of one flavor in victim order (<see cref="VictimOrder"/>), merged from their lanes
/// (<see cref="VictimLane"/>) and their checkpointed workloads (sorted here, their order moving with time): the same
/// sequence as the flavor's whole victim list read at those queues' positions, without a pass over the rest. Each
/// lane is checked as it is read (every entry against the next, with the work lost now); if floating point ever put
/// two out of order, <see cref="Run"/> says so and the caller builds the whole list instead.
/// </summary>
internal sealed class VictimMerge
{
    private Source[] _heap = new Source[16];
    private int _size;
    private EvictionCandidate[] _loose = new EvictionCandidate[16];
    private int _looseCount;
    private WorkloadState[] _merged = new WorkloadState[64];

    public int Count { get; private set; }

    public ReadOnlySpan<WorkloadState> Merged => _merged.AsSpan(0, Count);

    /// <summary>Starts a merge (forgets the last one).</summary>
    public void Begin()
    {
        _size = 0;
        _looseCount = 0;
        Count = 0;
    }

    /// <summary>Adds the victims of one queue.</summary>
    public void Add(QueueVictims queue, TimeSpan now)
    {
        foreach (var lane in queue.Lanes)
        {
            if (lane.Count > 0)
            {
                Push(new Source(lane, 0, Candidate(lane.InVictimOrder(0), now)));
            }
        }

        foreach (var w in queue.Checkpointed)
        {
            if (_looseCount == _loose.Length)
            {
                Array.Resize(ref _loose, 2 * _looseCount);
            }

            _loose[_looseCount++] = Candidate(w, now);
        }
    }

    /// <summary>Merges what was added into <see cref="Merged"/>; false when a lane was found out of order (then <see cref="Merged"/> is not to be read).</summary>
    public bool Run(TimeSpan now)
    {
        if (_looseCount > 0)
        {
            _loose.AsSpan(0, _looseCount).Sort(VictimOrder.Instance);
            Push(new Source(null, 0, _loose[0]));
        }

        while (_size > 0)
        {
            ref var top = ref _heap[0];
            if (Count == _merged.Length)
            {
                Array.Resize(ref _merged, 2 * Count);
            }

            _merged[Count++] = top.Current.W;
            var next = top.Rank + 1;
            if (next < (top.Lane?.Count ?? _looseCount))
            {
                var candidate = top.Lane is { } lane ? Candidate(lane.InVictimOrder(next), now) : _loose[next];
                if (VictimOrder.Instance.Compare(top.Current, candidate) > 0)
                {
                    return false;
                }

                top = new Source(top.Lane, next, candidate);
            }
            else
            {
                _heap[0] = _heap[--_size];
            }

            SiftDown();
        }

        return true;
    }

    /// <summary>The same key as the whole list's (<see cref="Actions.Preempt.PreemptionSearch"/>): GPU-seconds since the last checkpoint.</summary>
    private static EvictionCandidate Candidate(WorkloadState w, TimeSpan now) => new(w, w.LostSeconds(now) * w.Usage.GpuMilli);

    private void Push(Source source)
    {
        if (_size == _heap.Length)
        {
            Array.Resize(ref _heap, 2 * _size);
        }

        var i = _size++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (VictimOrder.Instance.Compare(_heap[parent].Current, source.Current) <= 0)
            {
                break;
            }

            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = source;
    }

    private void SiftDown()
    {
        if (_size == 0)
        {
            return;
        }

        var item = _heap[0];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= _size)
            {
                break;
            }

            if (child + 1 < _size && VictimOrder.Instance.Compare(_heap[child + 1].Current, _heap[child].Current) < 0)
            {
                child++;
            }

            if (VictimOrder.Instance.Compare(item.Current, _heap[child].Current) <= 0)
            {
                break;
            }

            _heap[i] = _heap[child];
            i = child;
        }

        _heap[i] = item;
    }

    /// <summary>A lane (or, with no lane, the sorted checkpointed workloads) and the rank of its next victim.</summary>
    private readonly record struct Source(VictimLane? Lane, int Rank, EvictionCandidate Current);
}
