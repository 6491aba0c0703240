namespace Berth.Model.Gpus;

/// <summary>How the GPUs of one node are shared between pods; set per node, as the NVIDIA device plugin does.</summary>
public enum GpuSharingMode
{
    /// <summary>One pod per GPU (or Berth's milli-GPU shares, which the engine accounts itself).</summary>
    Exclusive,

    /// <summary>Each GPU is advertised as N replicas (<c>nvidia.com/gpu.shared</c>); pods take turns on it with no memory isolation.</summary>
    TimeSliced,

    /// <summary>Each GPU runs an MPS server for up to N clients, each with a share of the threads and a pinned memory limit.</summary>
    Mps,

    /// <summary>Each GPU is partitioned into MIG instances by a layout; a pod asks for an instance of one profile.</summary>
    Mig,
}
