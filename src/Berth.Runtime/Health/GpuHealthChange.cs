namespace Berth.Runtime.Health;

/// <summary>A GPU that turned unhealthy (<see cref="Healthy"/> false) or recovered, and why.</summary>
public sealed record GpuHealthChange(string Gpu, bool Healthy, string Message);
