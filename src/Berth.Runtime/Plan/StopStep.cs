namespace Berth.Runtime.Plan;

/// <summary>
/// Stop a workload for good for <see cref="Code"/> (its queue reclaimed its idle GPUs, it ran past its max run time, its
/// pods or admission checks ran out of retries, or it can never fit): its pods leave and it is not admitted again unless
/// it is submitted anew.
/// </summary>
public sealed record StopStep(string Workload, string Code, string Message) : PlanStep(Workload);
