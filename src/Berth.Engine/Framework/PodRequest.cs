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

    public long GpuDemandMilli => (long)GpuCount * GpuMilli;

    public bool IsCpuOnly => GpuCount == 0;

    /// <summary>True for a pod that lives on one GPU and takes less than all of it.</summary>
    public bool IsSharing => GpuCount == 1 && GpuMilli < Limits.GpuMilliPerGpu;

    public bool AllowsModel(int modelId) => modelId >= 0 && (AllowedModelMask & (1UL << modelId)) != 0;
}
