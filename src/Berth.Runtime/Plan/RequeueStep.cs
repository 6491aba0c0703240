using Berth.Runtime.Lifecycle;

namespace Berth.Runtime.Plan;

/// <summary>Send a running workload back to its queue (suspend it, or evict its pods) for <see cref="Reason"/>.</summary>
public sealed record RequeueStep(string Workload, EvictionReason Reason, string Message) : PlanStep(Workload)
{
    /// <summary>The workload it made room for, when it was preempted (null otherwise, or where the driver does not know).</summary>
    public string? By { get; init; }
}
