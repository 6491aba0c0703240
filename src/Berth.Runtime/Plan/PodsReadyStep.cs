namespace Berth.Runtime.Plan;

/// <summary>All pods of an admitted workload are ready for the first time: record it (the pods-ready timeout no longer applies) and clear its backoff.</summary>
public sealed record PodsReadyStep(string Workload) : PlanStep(Workload);
