namespace Berth.Model.Queueing;

/// <summary>
/// A gate that must report Ready before a workload whose quota and nodes are reserved may start (Kueue
/// AdmissionCheck: provisioning, an external quota system, a pre-flight check). A queue lists the checks
/// its workloads pass. In a simulation the check answers after <see cref="Delay"/>; it answers Retry the
/// first <see cref="RetryTimes"/> times for a workload (which then gives its reservation back and is
/// requeued with backoff), then Ready.
/// </summary>
public sealed record AdmissionCheck(string Name)
{
    public TimeSpan Delay { get; init; }

    public int RetryTimes { get; init; }
}
