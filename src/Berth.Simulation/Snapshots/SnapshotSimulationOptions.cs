namespace Berth.Simulation.Snapshots;

/// <summary>How a snapshot becomes a simulation: the run time of workloads that declare none, and what-if quota changes.</summary>
public sealed record SnapshotSimulationOptions
{
    /// <summary>Default of <see cref="DefaultRuntime"/>.</summary>
    public static readonly TimeSpan OneHour = TimeSpan.FromHours(1);

    /// <summary>Run time of a workload with neither an expected run time (<c>berth.dev/expected-run-time</c>) nor a max run time.</summary>
    public TimeSpan DefaultRuntime { get; init; } = OneHour;

    /// <summary>Nominal quotas changed before the run, applied in order.</summary>
    public IReadOnlyList<QuotaOverride> Quotas { get; init; } = [];

    /// <summary>Queue for pods with <c>schedulerName: berth</c> that name none (as the operator's <c>--default-queue</c>).</summary>
    public string? DefaultQueue { get; init; }
}
