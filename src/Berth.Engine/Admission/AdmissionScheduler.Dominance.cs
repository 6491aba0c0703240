using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

// Skipping what cannot fit: within one generation (nothing freed since), a workload that asks for at
// least as much as one that just failed, the same way and with no more priority, fails too. This keeps a
// BestEffortFIFO cycle over thousands of pending workloads at the cost of a few tries per queue.
public sealed partial class AdmissionScheduler
{
    private readonly List<(long CpuMilli, long MemoryMiB, long GpuMilli, int Priority)>?[] _quotaFloors; // per queue
    private readonly List<int> _queuesWithFloors = [];
    private readonly List<(int Flavor, Model.Pod Pod, int Count, int Priority)> _placementFloors = [];
    private long _floorsGeneration = -1;

    /// <summary>
    /// Records why <paramref name="w"/> failed, when the reason transfers to larger workloads: quota in every
    /// flavor of its queue (totals decide quota), or placement of a single plain pod set in a one-flavor queue
    /// with no reservation in force (a larger pod, or more of them, cannot be placed where a smaller one could not).
    /// </summary>
    private void RememberFailure(WorkloadState w, bool placementTried)
    {
        ResetFloorsIfStale();
        if (w.Workload.IsElastic)
        {
            return;
        }

        if (!placementTried && w.Reason.Code is PendingReasonCode.QuotaExceeded or PendingReasonCode.BorrowingLimitReached)
        {
            var shape = ShapeOf(w);
            var floors = _quotaFloors[w.QueueIndex];
            if (floors is null)
            {
                floors = [];
                _quotaFloors[w.QueueIndex] = floors;
            }

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
        else if (placementTried && w.Reason.Code is PendingReasonCode.NoNodeFits or PendingReasonCode.GangIncomplete && _reservation is null
            && _queueFlavors[w.QueueIndex].Length == 1 && IsPlain(w))
        {
            if (!IsPlacementDominated(_queueFlavors[w.QueueIndex][0], w.Workload.PodSets[0], w.Workload.Priority))
            {
                _placementFloors.Add((_queueFlavors[w.QueueIndex][0], w.Workload.PodSets[0].Template, w.Workload.PodSets[0].Count, w.Workload.Priority));
                UnparkAll(); // a parked walk may skip differently from here on
            }
        }
    }

    private bool IsDominated(WorkloadState w)
    {
        ResetFloorsIfStale();
        return IsDominated(w.QueueIndex, ShapeOf(w));
    }

    /// <summary>
    /// The skip decision for a workload of queue <paramref name="q"/> with shape <paramref name="shape"/>: the
    /// single place it is made, so deciding per shape and per workload cannot disagree. Floors must be current.
    /// </summary>
    private bool IsDominated(int q, in WorkloadShape shape)
    {
        if (shape.Elastic || (_queuesWithFloors.Count == 0 && _placementFloors.Count == 0))
        {
            return false;
        }

        if (_quotaFloors[q] is { } floors && QuotaDominated(floors, shape))
        {
            return true;
        }

        if (_placementFloors.Count == 0 || _reservation is not null || _queueFlavors[q].Length != 1 || !shape.Plain)
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

    private bool IsPlacementDominated(int flavor, Model.PodSet set, int workloadPriority) =>
        IsPlacementDominated(flavor, set.Count, set.Template.GpuCount, set.Template.CpuMilli, set.Template.MemoryMiB, set.Template.GpuMilli, workloadPriority);

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

    /// <summary>The workload's <see cref="WorkloadShape"/> at its current counts, cached until its counts change.</summary>
    private static WorkloadShape ShapeOf(WorkloadState w)
    {
        if (!ReferenceEquals(w.ShapeCounts, w.Counts))
        {
            var request = RequestOf(w, w.Counts);
            var set = w.Workload.PodSets[0];
            w.CachedShape = new WorkloadShape(w.Workload.Priority, w.Workload.IsElastic, IsPlain(w), request.CpuMilli, request.MemoryMiB, request.GpuMilli,
                set.Count, set.Template.GpuCount, set.Template.CpuMilli, set.Template.MemoryMiB, set.Template.GpuMilli);
            w.ShapeCounts = w.Counts;
            w.QueueShapeId = -1;
        }

        return w.CachedShape;
    }

    private void ResetFloorsIfStale()
    {
        if (_floorsGeneration != _generation)
        {
            foreach (var q in _queuesWithFloors)
            {
                _quotaFloors[q]!.Clear();
            }

            _queuesWithFloors.Clear();
            _placementFloors.Clear();
            _floorsGeneration = _generation;
        }
    }

    /// <summary>One pod set with no constraints beyond its size, so sizes alone compare.</summary>
    private static bool IsPlain(WorkloadState w) =>
        w.Workload.PodSets.Count == 1
        && w.Workload.PodSets[0].TopologyKey is null
        && w.Workload.PodSets[0].Template is { AllowedGpuModels.Count: 0, NodeSelector.Count: 0, Tolerations.Count: 0 };
}
