namespace Berth.Runtime.Plan;

/// <summary>A running workload finished its work: what it held is free and it leaves its queue for good.</summary>
public sealed record CompletedStep(string Workload) : PlanStep(Workload);
