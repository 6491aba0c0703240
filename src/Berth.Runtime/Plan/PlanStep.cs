namespace Berth.Runtime.Plan;

/// <summary>One thing a cycle wants done about workload <see cref="Workload"/>; a driver's <see cref="Ports.IPlanWriter"/> renders it.</summary>
public abstract record PlanStep(string Workload);
