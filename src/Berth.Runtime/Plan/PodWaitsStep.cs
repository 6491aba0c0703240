namespace Berth.Runtime.Plan;

/// <summary>Pod <see cref="Pod"/> (its key) is not bound now, for <see cref="Code"/>; <see cref="WithEvent"/>: worth an event when the code changes.</summary>
public sealed record PodWaitsStep(string Workload, string Pod, string Code, string Message, bool WithEvent) : PlanStep(Workload);
