namespace Berth.Runtime.Yield;

/// <summary>
/// GPUs of a queue or cohort at one instant (gauges), or GPU-seconds over an interval (the same figures times its
/// length): allocated, used (weighted by GPU activity) and idle-allocated (allocated, measured not busy).
/// </summary>
public readonly record struct GpuUse(double Allocated, double Used, double IdleAllocated)
{
    public static GpuUse operator +(GpuUse a, GpuUse b) => new(a.Allocated + b.Allocated, a.Used + b.Used, a.IdleAllocated + b.IdleAllocated);

    public static GpuUse operator *(GpuUse a, double seconds) => new(a.Allocated * seconds, a.Used * seconds, a.IdleAllocated * seconds);
}
