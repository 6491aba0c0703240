using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

// Rebuilding state from a truth kept elsewhere; the work is in Restoration.
public sealed partial class AdmissionScheduler
{
    /// <summary>Index of the node named <paramref name="name"/> in <see cref="Cluster"/>, or -1.</summary>
    public int NodeIndexOf(string name) => _restoration.NodeIndexOf(name);

    /// <summary>
    /// Adds a workload that has waited since <paramref name="pendingSince"/> (an offset from this scheduler's
    /// start; negative when it was submitted before): starvation and reservations count from there.
    /// </summary>
    public WorkloadState Submit(Workload workload, TimeSpan pendingSince)
    {
        var state = Submit(workload);
        if (state.Phase == WorkloadPhase.Pending)
        {
            state.PendingSince = pendingSince;
        }

        return state;
    }

    /// <summary>
    /// Takes capacity that no queue is charged for: pods not managed by Berth, and unhealthy GPUs (a pod of
    /// <c>GpuCount</c> whole GPUs on <paramref name="gpuMask"/>). With no mask, GPUs are taken from the
    /// lowest indices that are fully free. Returns false, taking nothing, when the node does not exist or
    /// has not that much free (the caller reports the inconsistency).
    /// </summary>
    public bool Withhold(string node, Pod pod, int? gpuMask = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return _restoration.Withhold(node, pod, gpuMask);
    }

    /// <summary>Gives back what <see cref="Withhold"/> took (same pod, same GPUs: a reclaimed node is back); false when the node does not exist.</summary>
    public bool Unwithhold(string node, Pod pod, int gpuMask) => _restoration.Unwithhold(node, pod ?? throw new ArgumentNullException(nameof(pod)), gpuMask);

    /// <summary>
    /// Puts back a workload that is admitted in the truth outside: admitted in <paramref name="flavor"/> since
    /// <paramref name="admittedAt"/>, with <paramref name="counts"/> pods per pod set (default: every pod), its
    /// quota charged for all of them, and the pods in <paramref name="pods"/> allocated where they are. Pods
    /// not listed are charged to quota only until <see cref="PlaceRemaining"/> places them. Pods that do not
    /// fit where they are said to be are left out and returned in <paramref name="misfits"/>.
    /// </summary>
    public WorkloadState Restore(Workload workload, string flavor, IReadOnlyList<RestoredPod> pods, TimeSpan admittedAt, out IReadOnlyList<RestoredPod> misfits, IReadOnlyList<int>? counts = null) =>
        _restoration.Restore(workload, flavor, pods, admittedAt, out misfits, counts);

    /// <summary>
    /// Places the pods of an admitted workload that have no place yet (restored with fewer pods than its
    /// counts), all of them or none, on its flavor's nodes. Returns the new placements (also kept in the
    /// workload's <see cref="WorkloadState.Pods"/>), an empty list when nothing was missing, or null when
    /// they do not all fit now.
    /// </summary>
    public IReadOnlyList<PodPlacement>? PlaceRemaining(string id) => _restoration.PlaceRemaining(id);

    /// <summary>The flavors, as the array the scheduler indexes.</summary>
    internal Flavor[] FlavorArray => _flavors;
}
