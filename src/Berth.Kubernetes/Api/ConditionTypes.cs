namespace Berth.Kubernetes.Api;

/// <summary>The condition types Berth writes in the status of its objects.</summary>
public static class ConditionTypes
{
    /// <summary>On every Berth object: the spec is valid and in use (True) or not (False, with the reason and the fix).</summary>
    public const string Ready = "Ready";

    /// <summary>On a Queue: it admits workloads (False while its stop policy holds it).</summary>
    public const string Active = "Active";

    /// <summary>On a PodGroup: quota and nodes are reserved for it.</summary>
    public const string Admitted = "Admitted";

    /// <summary>On a PodGroup: all its placed pods became ready.</summary>
    public const string PodsReady = "PodsReady";

    /// <summary>
    /// On a running PodGroup whose GPUs are idle under its queue's idleGpus policy (telemetry at or below the
    /// threshold for the set time): True with reason <c>IdleGpu</c> and what follows; absent while it is busy or unknown.
    /// </summary>
    public const string GpuIdle = "GpuIdle";

    /// <summary>On a PodGroup: it was evicted (preemption, reclaim, pods not ready in time, ...).</summary>
    public const string Evicted = "Evicted";

    /// <summary>
    /// On a Job, PodGroup or pod: the API server refused one of Berth's writes for it for good (a 4xx other than
    /// 409/429, e.g. an admission webhook's denial, or server errors past the retry budget); Berth retries it with
    /// backoff and goes on with everything else meanwhile. The message names the write and the answer.
    /// </summary>
    public const string ActionRefused = "ActionRefused";
}
