namespace Berth.Runtime.Yield;

/// <summary>GPU-hours of one queue on one UTC day of a usage report's period.</summary>
public sealed record UsageDay(DateOnly Day, string Queue, double AllocatedGpuHours, double UsedGpuHours);
