namespace Berth.Runtime.Plan;

/// <summary>A workload stays admitted in <see cref="Flavor"/> after this cycle.</summary>
public sealed record RunningStep(string Workload, string Flavor) : PlanStep(Workload);
