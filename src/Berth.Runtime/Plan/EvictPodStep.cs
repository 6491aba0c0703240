namespace Berth.Runtime.Plan;

/// <summary>Evict one pod (its key) of a workload whose admission was taken back while the pod still runs.</summary>
public sealed record EvictPodStep(string Workload, string Pod, string Code, string Message) : PlanStep(Workload);
