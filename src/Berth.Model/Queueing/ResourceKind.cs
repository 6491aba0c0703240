namespace Berth.Model.Queueing;

/// <summary>The resources a quota can limit. Units: CPU in milli-cores, memory in MiB, GPU in milli-GPU (1000 = one GPU).</summary>
public enum ResourceKind
{
    Cpu = 0,
    Memory = 1,
    Gpu = 2,
}
