namespace Berth.Model.Gpus;

/// <summary>
/// One NUMA node of a machine: the CPUs (milli-cores) and memory (MiB) attached to it. A pod aligned to it
/// (<see cref="TopologyPolicy.SingleNumaNode"/>) takes its CPUs and memory from here.
/// </summary>
public sealed record NumaNode(long CpuMilli, long MemoryMiB);
