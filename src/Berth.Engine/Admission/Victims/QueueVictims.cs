namespace Berth.Engine.Admission.Victims;

/// <summary>
/// The preemptible admitted workloads of one queue in one flavor, kept as they start and end: how many there are
/// and the GPU they hold, per priority (read by <see cref="Actions.Preempt.PreemptionBound"/>), and the same workloads as victim
/// lanes (<see cref="VictimLane"/>, one per GPU size) plus the checkpointed ones, whose order rotates with time and
/// is sorted when read.
/// </summary>
internal sealed class QueueVictims
{
    private readonly Dictionary<long, VictimLane> _laneBySize = [];
    private readonly List<(int Priority, int Count, long GpuMilli)> _byPriority = [];
    private long _version;
    private (long Version, WorkloadState? Workload) _lowest = (-1, null);

    /// <summary>The lanes, in the order they were first needed (a merge reads them all).</summary>
    public List<VictimLane> Lanes { get; } = [];

    /// <summary>Those with checkpoints, in no order.</summary>
    public List<WorkloadState> Checkpointed { get; } = [];

    public int Count { get; private set; }

    public long GpuMilli { get; private set; }

    /// <summary>The lowest priority among them (int.MaxValue when there are none).</summary>
    public int LowestPriority
    {
        get
        {
            var lowest = int.MaxValue;
            foreach (var (priority, _, _) in _byPriority)
            {
                lowest = Math.Min(lowest, priority);
            }

            return lowest;
        }
    }

    /// <summary>
    /// The lowest of them: lowest priority, then newest (submit time, then submission order), as the whole victim list
    /// works it out per queue; worked out again only after a change.
    /// </summary>
    public WorkloadState? Lowest()
    {
        if (_lowest.Version == _version)
        {
            return _lowest.Workload;
        }

        WorkloadState? lowest = null;
        foreach (var lane in Lanes)
        {
            for (var i = 0; i < lane.Count; i++)
            {
                lowest = Lower(lane.InVictimOrder(i), lowest);
            }
        }

        foreach (var w in Checkpointed)
        {
            lowest = Lower(w, lowest);
        }

        _lowest = (_version, lowest);
        return lowest;
    }

    /// <summary>How many hold a priority below <paramref name="priority"/> (or equal, with <paramref name="orEqual"/>), and their GPU.</summary>
    public (int Count, long GpuMilli) Below(int priority, bool orEqual)
    {
        var (count, gpu) = (0, 0L);
        foreach (var (p, c, g) in _byPriority)
        {
            if (p < priority || (orEqual && p == priority))
            {
                count += c;
                gpu += g;
            }
        }

        return (count, gpu);
    }

    public void Add(WorkloadState w)
    {
        Tally(w, +1);
        if (IsCheckpointed(w))
        {
            Checkpointed.Add(w);
            return;
        }

        if (!_laneBySize.TryGetValue(w.Usage.GpuMilli, out var lane))
        {
            lane = new VictimLane();
            _laneBySize[w.Usage.GpuMilli] = lane;
            Lanes.Add(lane);
        }

        lane.Add(w);
    }

    public void Remove(WorkloadState w)
    {
        Tally(w, -1);
        if (IsCheckpointed(w))
        {
            Checkpointed.Remove(w);
        }
        else
        {
            _laneBySize[w.Usage.GpuMilli].Remove(w);
        }
    }

    private static WorkloadState Lower(WorkloadState v, WorkloadState? c) =>
        c is null || v.Workload.Priority < c.Workload.Priority
            || (v.Workload.Priority == c.Workload.Priority && (v.Workload.SubmitTime > c.Workload.SubmitTime || (v.Workload.SubmitTime == c.Workload.SubmitTime && v.Sequence > c.Sequence)))
            ? v
            : c;

    private static bool IsCheckpointed(WorkloadState w) => w.Workload.CheckpointInterval is { } interval && interval > TimeSpan.Zero;

    private void Tally(WorkloadState w, int sign)
    {
        _version++;
        Count += sign;
        GpuMilli += sign * w.Usage.GpuMilli;
        var at = _byPriority.FindIndex(e => e.Priority == w.Workload.Priority);
        if (at < 0)
        {
            _byPriority.Add((w.Workload.Priority, 0, 0));
            at = _byPriority.Count - 1;
        }

        var (p, c, g) = _byPriority[at];
        _byPriority[at] = (p, c + sign, g + (sign * w.Usage.GpuMilli));
        if (c + sign == 0)
        {
            _byPriority.RemoveAt(at);
        }
    }
}
