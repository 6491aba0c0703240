using Berth.Engine.Admission;

namespace Berth.Simulation.Jobs;

/// <summary>The outcome of one job replay (one scenario, one profile).</summary>
public sealed record JobRunResult(string Scenario, string Profile)
{
    /// <summary>One entry per queue in configuration order, then "*" for the whole cluster.</summary>
    public IReadOnlyList<QueueStats> Queues { get; init; } = [];

    public IReadOnlyList<JobRecord> Jobs { get; init; } = [];

    public IReadOnlyList<TimelinePoint> Timeline { get; init; } = [];

    /// <summary>The admission event log (kept only when asked for).</summary>
    public IReadOnlyList<AdmissionEvent> Events { get; init; } = [];

    public string EventLogHash { get; init; } = string.Empty;

    public double TotalGpus { get; init; }

    /// <summary>Nominal GPU quota per queue (for fair share vs actual share), in GPUs.</summary>
    public IReadOnlyList<double> NominalGpus { get; init; } = [];

    public TimeSpan Makespan { get; init; }

    public double WallSeconds { get; init; }

    public QueueStats Overall => Queues[^1];
}
