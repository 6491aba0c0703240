namespace Berth.Engine.Admission;

/// <summary>Where a workload is in its life.</summary>
public enum WorkloadPhase
{
    Pending = 0,
    Admitted = 1,
    Finished = 2,
    Failed = 3,
}
