namespace Berth.Server.Telemetry;

/// <summary>A GPU that turned unhealthy (<see cref="Healthy"/> false) or recovered, and why.</summary>
public sealed record GpuHealthChange(string Uuid, bool Healthy, string Message);
