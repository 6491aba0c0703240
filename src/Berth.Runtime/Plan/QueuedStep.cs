namespace Berth.Runtime.Plan;

/// <summary>A workload entered its queue: it waits from now until it is admitted (its wait is counted from here).</summary>
public sealed record QueuedStep(string Workload) : PlanStep(Workload);
