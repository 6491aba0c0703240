using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Skipping what cannot fit: within one generation (nothing freed since), a workload that asks for at least as much
/// as one that just failed, the same way and with no more priority, fails too. This keeps a BestEffortFIFO cycle over
/// thousands of pending workloads at the cost of a few tries per queue. The floors are the failures that transfer:
/// quota (per queue) and placement of a plain pod set (per flavor). What the skip reads of a workload is its
/// <see cref="WorkloadShape"/>, so it is decided once per shape of a queue, and a queue's snapshot is walked by shape
/// ids. Mutated only by the scheduler's cycle; not thread-safe.
/// </summary>
internal sealed class FailureFloors
{
    private readonly int[][] _queueFlavors;
    private readonly List<(long CpuMilli, long MemoryMiB, long GpuMilli, int Priority)>?[] _quotaFloors; // per queue
    private readonly List<int> _queuesWithFloors = [];
    private readonly List<(int Flavor, Model.Pod Pod, int Count, int Priority)> _placementFloors = [];
    private readonly List<WorkloadShape>[] _queueShapes;
    private readonly Dictionary<WorkloadShape, int>[] _queueShapeIndex;
    private readonly bool[][] _skipped;
    private readonly bool[][] _skippedByQuota; // skipped by the queue's own quota floors alone
    private readonly Stamp[] _stamp;
    private readonly int[][] _snapshotShapes;
    private long _generation = -1;

    public FailureFloors(int[][] queueFlavors)
    {
        _queueFlavors = queueFlavors;
        var queues = queueFlavors.Length;
        _quotaFloors = new List<(long, long, long, int)>?[queues];
        _queueShapes = Enumerable.Range(0, queues).Select(_ => new List<WorkloadShape>()).ToArray();
        _queueShapeIndex = Enumerable.Range(0, queues).Select(_ => new Dictionary<WorkloadShape, int>()).ToArray();
        _skipped = Enumerable.Repeat(Array.Empty<bool>(), queues).ToArray();
        _skippedByQuota = Enumerable.Repeat(Array.Empty<bool>(), queues).ToArray();
        _stamp = Enumerable.Repeat(new Stamp(-2, 0, 0, false, 0), queues).ToArray();
        _snapshotShapes = new int[queues][];
    }

    /// <summary>Floors hold for one generation: a new one (capacity or quota freed) clears them.</summary>
    public void ResetIfStale(long generation)
    {
        if (_generation != generation)
        {
            foreach (var q in _queuesWithFloors)
            {
                _quotaFloors[q]!.Clear();
            }

            _queuesWithFloors.Clear();
            _placementFloors.Clear();
            _generation = generation;
        }
    }

    /// <summary>
    /// Records why <paramref name="w"/> failed, when the reason transfers to larger workloads: quota in every
    /// flavor of its queue (totals decide quota), or placement of a single plain pod set in a one-flavor queue
    /// with no reservation in force (a larger pod, or more of them, cannot be placed where a smaller one could not).
    /// True when a placement floor was added.
    /// </summary>
    public bool Remember(WorkloadState w, bool placementTried, long generation, bool noReservation)
    {
        ResetIfStale(generation);
        if (w.Workload.IsElastic)
        {
            return false;
        }

        if (!placementTried && w.Reason.Code is PendingReasonCode.QuotaExceeded or PendingReasonCode.BorrowingLimitReached)
        {
            var shape = ShapeOf(w);
            var floors = _quotaFloors[w.QueueIndex] ??= [];
            if (floors.Count == 0)
            {
                _queuesWithFloors.Add(w.QueueIndex);
            }

            // Keep only floors that no other floor already covers, so the lists stay short.
            if (!QuotaDominated(floors, shape))
            {
                floors.Add((shape.CpuMilli, shape.MemoryMiB, shape.GpuMilli, shape.Priority));
            }
        }
        else if (placementTried && w.Reason.Code is PendingReasonCode.NoNodeFits or PendingReasonCode.GangIncomplete && noReservation
            && _queueFlavors[w.QueueIndex].Length == 1 && IsPlain(w))
        {
            var set = w.Workload.PodSets[0];
            if (!IsPlacementDominated(_queueFlavors[w.QueueIndex][0], set.Count, set.Template.GpuCount, set.Template.CpuMilli, set.Template.MemoryMiB, set.Template.GpuMilli, w.Workload.Priority))
            {
                _placementFloors.Add((_queueFlavors[w.QueueIndex][0], set.Template, set.Count, w.Workload.Priority));
                return true;
            }
        }

        return false;
    }

    public bool IsDominated(WorkloadState w, long generation, bool noReservation)
    {
        ResetIfStale(generation);
        return IsDominated(w.QueueIndex, ShapeOf(w), noReservation);
    }

    /// <summary>The shape ids of a queue's new snapshot, entering shapes the queue has not seen yet.</summary>
    public void Index(int q, WorkloadState[] snapshot)
    {
        var ids = new int[snapshot.Length];
        for (var i = 0; i < snapshot.Length; i++)
        {
            var w = snapshot[i];
            var shape = ShapeOf(w);
            if (w.QueueShapeId < 0)
            {
                if (!_queueShapeIndex[q].TryGetValue(shape, out var id))
                {
                    id = _queueShapes[q].Count;
                    _queueShapes[q].Add(shape);
                    _queueShapeIndex[q][shape] = id;
                }

                w.QueueShapeId = id;
            }

            ids[i] = w.QueueShapeId;
        }

        _snapshotShapes[q] = ids;
    }

    /// <summary>The shape id of each workload of queue <paramref name="q"/>'s snapshot (<see cref="Index"/>).</summary>
    public int[] ShapeIds(int q) => _snapshotShapes[q];

    /// <summary>
    /// Per shape of queue <paramref name="q"/>: skipped now, and skipped by its own quota floors alone. Recomputed
    /// only when the floors it reads changed (they only grow within a generation, so their counts tell).
    /// </summary>
    public (bool[] Skipped, bool[] ByQuota) Skipped(int q, long generation, bool noReservation)
    {
        ResetIfStale(generation);
        var shapes = _queueShapes[q];
        var own = _quotaFloors[q];
        var stamp = new Stamp(_generation, own?.Count ?? 0, _placementFloors.Count, noReservation, shapes.Count);
        if (_stamp[q] != stamp)
        {
            if (_skipped[q].Length < shapes.Count)
            {
                _skipped[q] = new bool[Math.Max(shapes.Count, 2 * _skipped[q].Length)];
                _skippedByQuota[q] = new bool[_skipped[q].Length];
            }

            for (var s = 0; s < shapes.Count; s++)
            {
                var shape = shapes[s];
                _skipped[q][s] = IsDominated(q, shape, noReservation);
                _skippedByQuota[q][s] = _skipped[q][s] && !shape.Elastic && own is not null && QuotaDominated(own, shape);
            }

            _stamp[q] = stamp;
        }

        return (_skipped[q], _skippedByQuota[q]);
    }

    /// <summary>
    /// The next head of BestEffortFIFO queue <paramref name="q"/> from <paramref name="cursor"/>: the same workload as
    /// the walk that asks <see cref="IsDominated(WorkloadState, long, bool)"/> of each. Skipped workloads are marked as
    /// tried only when <paramref name="marksNeeded"/> (a reservation may come, with backfill): without one, the skip can
    /// only widen within a generation, so a later walk of the same snapshot finds them skipped again without the mark.
    /// Tells <paramref name="parking"/> what the walk did, for its record.
    /// </summary>
    public WorkloadState? Walk(int q, WorkloadState[] list, ref int cursor, TimeSpan now, long generation, bool noReservation, bool marksNeeded, QueueParking parking)
    {
        var (skipped, byQuota) = Skipped(q, generation, noReservation);
        var ids = _snapshotShapes[q];
        var tracing = parking.Tracing(q);
        for (var i = cursor; i < list.Length; i++)
        {
            if (skipped[ids[i]])
            {
                if (tracing && !byQuota[ids[i]])
                {
                    parking.Spoil(q); // skipped for placement: a parked replay could not know when
                    tracing = false;
                }

                if (marksNeeded && list[i].Phase == WorkloadPhase.Pending)
                {
                    list[i].TriedGeneration = generation;
                }

                continue;
            }

            var w = list[i];
            if (w.Phase != WorkloadPhase.Pending || w.BackoffUntil > now || w.TriedGeneration == generation)
            {
                if (tracing && w.Phase == WorkloadPhase.Pending && w.BackoffUntil > now)
                {
                    parking.Spoil(q); // a later generation may find it out of backoff
                    tracing = false;
                }

                continue;
            }

            cursor = i;
            parking.Offered(q, i);
            return w;
        }

        cursor = list.Length;
        parking.Exhausted(q);
        return null;
    }

    /// <summary>The workload's <see cref="WorkloadShape"/> at its current counts, cached until its counts change.</summary>
    public static WorkloadShape ShapeOf(WorkloadState w)
    {
        if (!ReferenceEquals(w.ShapeCounts, w.Counts))
        {
            var request = w.RequestOf(w.Counts);
            var set = w.Workload.PodSets[0];
            w.CachedShape = new WorkloadShape(w.Workload.Priority, w.Workload.IsElastic, IsPlain(w), request.CpuMilli, request.MemoryMiB, request.GpuMilli,
                set.Count, set.Template.GpuCount, set.Template.CpuMilli, set.Template.MemoryMiB, set.Template.GpuMilli);
            w.ShapeCounts = w.Counts;
            w.QueueShapeId = -1;
        }

        return w.CachedShape;
    }

    /// <summary>
    /// The skip decision for a workload of queue <paramref name="q"/> with shape <paramref name="shape"/>: the
    /// single place it is made, so deciding per shape and per workload cannot disagree. Floors must be current.
    /// </summary>
    private bool IsDominated(int q, in WorkloadShape shape, bool noReservation)
    {
        if (shape.Elastic || (_queuesWithFloors.Count == 0 && _placementFloors.Count == 0))
        {
            return false;
        }

        if (_quotaFloors[q] is { } floors && QuotaDominated(floors, shape))
        {
            return true;
        }

        if (_placementFloors.Count == 0 || !noReservation || _queueFlavors[q].Length != 1 || !shape.Plain)
        {
            return false;
        }

        return IsPlacementDominated(_queueFlavors[q][0], shape.Count, shape.PodGpuCount, shape.PodCpuMilli, shape.PodMemoryMiB, shape.PodGpuMilli, shape.Priority);
    }

    /// <summary>True when a floor of the list is no larger than the shape's request and no less urgent.</summary>
    private static bool QuotaDominated(List<(long CpuMilli, long MemoryMiB, long GpuMilli, int Priority)> floors, in WorkloadShape shape)
    {
        foreach (var floor in floors)
        {
            if (shape.Priority <= floor.Priority && shape.CpuMilli >= floor.CpuMilli && shape.MemoryMiB >= floor.MemoryMiB && shape.GpuMilli >= floor.GpuMilli)
            {
                return true;
            }
        }

        return false;
    }

    private bool IsPlacementDominated(int flavor, int count, int gpuCount, long cpuMilli, long memoryMiB, long gpuMilli, int workloadPriority)
    {
        foreach (var (f, smaller, floorCount, priority) in _placementFloors)
        {
            if (f == flavor && workloadPriority <= priority && count >= floorCount && gpuCount >= smaller.GpuCount
                && cpuMilli >= smaller.CpuMilli && memoryMiB >= smaller.MemoryMiB
                && (gpuCount == 0 || smaller.GpuCount == 0 ? gpuCount == smaller.GpuCount : gpuMilli >= smaller.GpuMilli))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One pod set with no constraints beyond its size, so sizes alone compare.</summary>
    private static bool IsPlain(WorkloadState w) =>
        w.Workload.PodSets.Count == 1
        && w.Workload.PodSets[0].TopologyKey is null
        && w.Workload.PodSets[0].PreferredTopology.Count == 0
        && w.Workload.PodSets[0].Template is { AllowedGpuModels.Count: 0, NodeSelector.Count: 0, Tolerations.Count: 0 };

    /// <summary>What the skip of a queue's shapes was computed from.</summary>
    private readonly record struct Stamp(long Generation, int OwnFloors, int PlacementFloors, bool NoReservation, int Shapes);
}
