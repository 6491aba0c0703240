namespace Berth.Model.Gpus;

/// <summary>
/// How strictly a node aligns a pod's GPUs with the CPUs and memory of one NUMA node, after the kubelet topology
/// manager's policies of the same names (<c>restricted</c> is not offered: for whole GPUs it asks what
/// <see cref="SingleNumaNode"/> asks whenever the GPUs fit one NUMA node, which Berth already prefers).
/// </summary>
public enum TopologyPolicy
{
    /// <summary>No alignment is required; Berth still prefers GPUs of one NVLink island, PCIe switch and NUMA node.</summary>
    None,

    /// <summary>As <see cref="None"/>: alignment is preferred, never required.</summary>
    BestEffort,

    /// <summary>A GPU pod fits only where its GPUs, CPUs and memory all come from one NUMA node.</summary>
    SingleNumaNode,
}
