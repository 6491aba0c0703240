namespace Berth.Simulation.Sharing;

/// <summary>One way of running the inference workload (<see cref="MigComparison"/>) and what it achieved.</summary>
/// <param name="Mode">re-partitioning, static layouts or whole GPUs.</param>
/// <param name="Requests">Requests that arrived.</param>
/// <param name="Served">Requests placed within the wait limit.</param>
/// <param name="MeanIdleGpus">
/// Idle GPU capacity in GPUs: all GPUs less the compute the running model servers need (a 2g server needs 2/7 of a GPU
/// whether it holds a 2g instance or a whole GPU), time-weighted mean from the first arrival to the last.
/// </param>
/// <param name="MeanEmptyGpus">GPUs with nothing held on them at all, time-weighted mean over the same window.</param>
/// <param name="Repartitions">MIG GPUs re-partitioned.</param>
/// <param name="MeanMigFragmentPercent">MIG fragmentation (<see cref="Engine.Sharing.SharedGpus.MigFragmentPercent"/>), time-weighted mean.</param>
/// <param name="Gpus">GPUs in the cluster.</param>
public sealed record MigRunSummary(
    string Mode,
    int Requests,
    int Served,
    double MeanIdleGpus,
    double MeanEmptyGpus,
    int Repartitions,
    double MeanMigFragmentPercent,
    int Gpus)
{
    /// <summary>Served requests, % of those that arrived.</summary>
    public double ServedPercent => Requests == 0 ? 0 : 100.0 * Served / Requests;
}
