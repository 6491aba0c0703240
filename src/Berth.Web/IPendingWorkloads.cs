namespace Berth.Web;

/// <summary>
/// An opt-in capability of an <see cref="IClusterViews"/>: the visibility API's list of a queue's waiting workloads as
/// its own decision ordered them (the operator has positions in queue, cohort and namespace from its last decision).
/// A source without it is served by <see cref="PendingWorkloadEndpoints"/> from its jobs list.
/// </summary>
public interface IPendingWorkloads
{
    /// <summary>
    /// One page of <paramref name="queue"/>'s waiting workloads inside <paramref name="scope"/>; the caller has checked
    /// that the queue exists and is in the scope, and that <paramref name="offset"/> and <paramref name="limit"/> are valid.
    /// </summary>
    PendingWorkloadsView Pending(string queue, int offset, int limit, ViewScope scope);
}
