namespace Berth.Kubernetes.Controller;

/// <summary>
/// The state of one admission check on one workload, as in Kueue's <c>Workload.status.admissionChecks[].state</c>: the
/// workload holds its quota reservation while a check is pending, starts once every check is ready, gives the
/// reservation back and waits in its queue again on a retry, and stops for good when a check rejects it.
/// </summary>
public enum AdmissionCheckState
{
    /// <summary>Not decided yet (also what a check no controller has answered says).</summary>
    Pending,

    /// <summary>The check passed: the workload may start once every other check passed too.</summary>
    Ready,

    /// <summary>Not now: the reservation is released and the workload requeued with backoff.</summary>
    Retry,

    /// <summary>Never: the workload stops for good.</summary>
    Rejected,
}
