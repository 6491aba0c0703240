namespace Berth.Simulation.Jobs;

/// <summary>
/// What happened to one workload in a job replay. <see cref="Wait"/> is all the time it spent pending
/// (before its first start and after each eviction); <see cref="Start"/> is its last start.
/// </summary>
public sealed record JobRecord(string Id, string Queue, TimeSpan Submit, double Gpus, TimeSpan Duration)
{
    public TimeSpan? FirstStart { get; init; }

    public TimeSpan? End { get; init; }

    public TimeSpan Wait { get; init; }

    public JobOutcome Outcome { get; init; }

    public string? FailReason { get; init; }

    public int Evictions { get; init; }

    /// <summary>True for a workload that was already running at time 0 (<see cref="Scenarios.Scenario.Running"/>): it never waited here, so wait and completion-time statistics leave it out.</summary>
    public bool Restored { get; init; }

    /// <summary>How busy its GPUs were while it ran, 0 to 1 (stated or from the scenario's utilization model); null: not known.</summary>
    public double? GpuActivity { get; init; }

    /// <summary>GB of datasets fetched for it, over all its admissions (see <see cref="DataStaging"/>).</summary>
    public double DataMovedGb { get; init; }

    /// <summary>Completion time: end minus submit (completed jobs only).</summary>
    public TimeSpan? Jct => Outcome == JobOutcome.Completed && End is { } end ? end - Submit : null;

    /// <summary>Completion time over run time alone (1 = never waited).</summary>
    public double? Slowdown => Jct is { } jct && Duration > TimeSpan.Zero ? jct / Duration : null;
}
