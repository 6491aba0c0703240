namespace Berth.Runtime.Plan;

/// <summary>Record that a workload was requeued <see cref="Requeues"/> times and is not tried before <see cref="Until"/>.</summary>
public sealed record BackoffStep(string Workload, int Requeues, DateTimeOffset Until) : PlanStep(Workload);
