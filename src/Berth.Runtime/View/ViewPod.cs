using Berth.Model;

namespace Berth.Runtime.View;

/// <summary>
/// A member pod of a workload: its key (unique in the view), name, pod set, what it asks for, where it is bound
/// (null: not yet) and on which GPUs (null: none named), and whether Berth places it.
/// </summary>
public sealed record ViewPod(string Key, string Name, int PodSet, Pod Request, string? Node, int? GpuMask, bool BerthScheduled)
{
    /// <summary>True when the pod asks for any GPU: whole, a share, MIG instances or time-sliced replicas.</summary>
    public bool UsesGpu => Request.GpuMilli > 0 || !Request.IsCpuOnly;

    public bool Bound => Node is not null;
}
