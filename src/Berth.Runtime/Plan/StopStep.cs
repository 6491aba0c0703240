namespace Berth.Runtime.Plan;

/// <summary>
/// Stop a running workload for good for <see cref="Code"/> (its queue reclaimed its idle GPUs, or it ran past its max run time): its pods leave and it
/// is not admitted again unless it is submitted anew.
/// </summary>
public sealed record StopStep(string Workload, string Code, string Message) : PlanStep(Workload);
