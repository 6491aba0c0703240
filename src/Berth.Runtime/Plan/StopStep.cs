namespace Berth.Runtime.Plan;

/// <summary>
/// Stop a running workload for good for <see cref="Code"/> (its queue reclaimed its idle GPUs): its pods leave and it
/// is not admitted again unless it is submitted anew.
/// </summary>
public sealed record StopStep(string Workload, string Code, string Message) : PlanStep(Workload);
