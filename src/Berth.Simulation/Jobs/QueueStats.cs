namespace Berth.Simulation.Jobs;

/// <summary>Metrics of one queue (or of the whole cluster, queue "*") in one run. Times in seconds.</summary>
public sealed record QueueStats(string Queue)
{
    public int Jobs { get; init; }

    public int Completed { get; init; }

    public int Failed { get; init; }

    public int Unfinished { get; init; }

    public double MeanJct { get; init; }

    public double P50Jct { get; init; }

    public double P95Jct { get; init; }

    public double P99Jct { get; init; }

    public double MeanWait { get; init; }

    public double P50Wait { get; init; }

    public double P95Wait { get; init; }

    public double P99Wait { get; init; }

    public double MeanSlowdown { get; init; }

    /// <summary>Mean GPUs allocated to this queue (or in all) over the run, as % of the cluster's GPUs.</summary>
    public double GpuAllocPct { get; init; }

    /// <summary>Mean GPUs doing work (pods ready and running) over the run, as % of the cluster's GPUs.</summary>
    public double GpuUtilPct { get; init; }

    public double IdleGangGpuHours { get; init; }

    /// <summary>
    /// Accelerator yield: mean GPUs doing useful work (GPUs of running, ready jobs weighted by each job's GPU
    /// activity) over the run, as % of the cluster's GPUs. Beside <see cref="GpuAllocPct"/>, the gap is what is
    /// allocated and not used.
    /// </summary>
    public double GpuYieldPct { get; init; }

    /// <summary>GPU-hours held by this queue's pods (or all pods).</summary>
    public double AllocatedGpuHours { get; init; }

    /// <summary>GPU-hours of work done: running GPU-hours weighted by the jobs' GPU activity.</summary>
    public double UsedGpuHours { get; init; }

    /// <summary>GPU-hours allocated but not used: idle jobs, jobs starting up, gangs not fully placed.</summary>
    public double IdleAllocatedGpuHours => Math.Max(0, AllocatedGpuHours - UsedGpuHours);

    public int Preemptions { get; init; }

    /// <summary>GB of datasets fetched by its jobs onto nodes that did not cache them (see <see cref="DataStaging"/>).</summary>
    public double DataMovedGb { get; init; }

    /// <summary>Jobs whose GPUs were found idle under their queue's idle-GPU policy.</summary>
    public int IdleJobs { get; init; }

    /// <summary>Jobs stopped because their idle GPUs were reclaimed.</summary>
    public int IdleReclaimed { get; init; }

    public double LostGpuHours { get; init; }

    /// <summary>The useful part of <see cref="LostGpuHours"/>: lost GPU-hours weighted by each evicted job's GPU activity.</summary>
    public double LostUsefulGpuHours { get; init; }

    /// <summary>Mean wait of this queue replayed alone on its nominal quota (sharing safety); null when not run.</summary>
    public double? AloneMeanWait { get; init; }
}
