using Berth.Engine.Framework;

namespace Berth.Engine.Admission.Actions;

/// <summary>
/// What the actions of one cycle share: the time the cycle decides at, the cluster snapshot the placement engine
/// keeps, the quota tree, and the statement every trial writes to (checkpoint, roll back, commit), with the
/// scheduler whose steps (place a gang, admit, evict) they call. Built once per cycle; not kept across cycles.
/// </summary>
internal sealed class AdmissionSession(AdmissionScheduler scheduler, TimeSpan now)
{
    public AdmissionScheduler Scheduler { get; } = scheduler;

    public TimeSpan Now { get; } = now;

    public ClusterState Cluster => Scheduler.Cluster;

    public QuotaTree Quotas => Scheduler.Quotas;

    public AdmissionStatement Statement => Scheduler.Statement;
}
