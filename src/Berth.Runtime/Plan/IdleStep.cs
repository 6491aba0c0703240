namespace Berth.Runtime.Plan;

/// <summary>A running workload's GPUs sit idle under its queue's idle-GPU policy: report it (an event, a condition); it keeps running.</summary>
public sealed record IdleStep(string Workload, string Message) : PlanStep(Workload);
