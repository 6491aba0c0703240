namespace Berth.Runtime.Plan;

/// <summary>Bind pod <see cref="Pod"/> (its key) to <see cref="Node"/> on the GPUs of <see cref="GpuMask"/>, each shared at <see cref="GpuMilli"/>.</summary>
public sealed record BindStep(string Workload, string Pod, string Node, int GpuMask, int GpuCount, int GpuMilli) : PlanStep(Workload);
