namespace Berth.Runtime.Plan;

/// <summary>
/// Ask one pod (its key) of a workload to save its progress now, because its node is about to be taken away; the
/// workload's <see cref="RequeueStep"/> follows in the same plan, so the pod's termination grace period is the
/// time it has to write the checkpoint.
/// </summary>
public sealed record CheckpointStep(string Workload, string Pod, string Message) : PlanStep(Workload);
