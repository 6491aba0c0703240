namespace Berth.Simulation.Inflation;

/// <summary>Options of the inflation protocol (Weng et al., ATC '23).</summary>
public sealed record InflationOptions
{
    /// <summary>Pad the shuffled pod list until submitted GPU demand reaches this % of capacity (130 in the paper).</summary>
    public double TargetPercent { get; init; } = 130;

    /// <summary>Share of the pod list the target workload (typical pods) covers.</summary>
    public double TypicalPodCoverage { get; init; } = 0.95;

    /// <summary>Called after each submission with (submitted, total); for progress bars. May be null.</summary>
    public Action<int, int>? Progress { get; init; }
}
