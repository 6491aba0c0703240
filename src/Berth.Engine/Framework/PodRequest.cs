using Berth.Model;

namespace Berth.Engine.Framework;

/// <summary>
/// A pod's request in the compact form the hot loops read: plain numbers and a bit mask of the
/// cluster's GPU model ids. Built once per decision by <see cref="ClusterState.Compile(Pod)"/>.
/// </summary>
public readonly record struct PodRequest(
    long CpuMilli,
    long MemoryMiB,
    int GpuCount,
    int GpuMilli,
    ulong AllowedModelMask,
    bool HasNodeConstraints)
{
    /// <summary>Every model allowed.</summary>
    public const ulong AnyModel = ulong.MaxValue;

    /// <summary>The MIG profile asked for (<see cref="MigCount"/> instances of it); null when the pod asks for none.</summary>
    public string? MigProfile { get; init; }

    /// <summary>MIG instances of <see cref="MigProfile"/> asked for, 0 to <see cref="SharedGpus.MaxMigInstancesPerPod"/>.</summary>
    public int MigCount { get; init; }

    /// <summary>Replicas of one time-sliced or MPS GPU asked for (<c>nvidia.com/gpu.shared</c>); 0 when none.</summary>
    public int SharedReplicas { get; init; }

    /// <summary>GPU memory needed on the replicas' GPU, in MiB; 0 when the pod does not say.</summary>
    public long SharedMemoryMiB { get; init; }

    /// <summary>The pod asks for single-NUMA alignment (<see cref="Pod.SingleNumaNode"/>); nodes may require it anyway.</summary>
    public bool SingleNumaNode { get; init; }

    /// <summary>
    /// True for a pod that asks for MIG instances or time-sliced/MPS replicas: it is placed by <see cref="SharedGpus"/>
    /// on nodes that share their GPUs, and looks CPU-only (<see cref="GpuCount"/> 0) to the whole-GPU plugins.
    /// </summary>
    public bool IsShared => MigCount > 0 || SharedReplicas > 0;

    public long GpuDemandMilli => (long)GpuCount * GpuMilli;

    public bool IsCpuOnly => GpuCount == 0;

    /// <summary>True for a pod that lives on one GPU and takes less than all of it.</summary>
    public bool IsSharing => GpuCount == 1 && GpuMilli < Limits.GpuMilliPerGpu;

    public bool AllowsModel(int modelId) => modelId >= 0 && (AllowedModelMask & (1UL << modelId)) != 0;
}
