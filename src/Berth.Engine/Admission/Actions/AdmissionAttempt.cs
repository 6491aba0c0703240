namespace Berth.Engine.Admission.Actions;

/// <summary>
/// One candidate being tried by the actions of a profile, in order: the workload, its full pod counts, the
/// actions that run per flavor for its queue, and the most telling reason it could not be admitted so far.
/// </summary>
internal sealed class AdmissionAttempt(WorkloadState workload, int[] full, IReadOnlyList<IAdmissionAction> perFlavor)
{
    public WorkloadState Workload { get; } = workload;

    /// <summary>Every pod set at its full count.</summary>
    public int[] Full { get; } = full;

    /// <summary>The profile's actions that run inside the flavor walk for this queue (<see cref="IAdmissionAction.RunsPerFlavor"/>).</summary>
    public IReadOnlyList<IAdmissionAction> PerFlavor { get; } = perFlavor;

    public PendingReason? Reason { get; private set; }

    /// <summary>True once a placement reason was recorded (quota was there, the nodes were not).</summary>
    public bool PlacementReasonSeen { get; private set; }

    /// <summary>Keeps the most telling reason: a placement problem (quota was there) beats a quota problem; otherwise the first flavor's.</summary>
    public void Prefer(PendingReason candidate, bool placement)
    {
        if (Reason is null || (placement && !PlacementReasonSeen))
        {
            Reason = candidate;
            PlacementReasonSeen |= placement;
        }
    }
}
