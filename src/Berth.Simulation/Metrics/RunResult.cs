namespace Berth.Simulation.Metrics;

/// <summary>The outcome of one simulation run: one policy, one seed, one trace.</summary>
public sealed record RunResult
{
    public required string Trace { get; init; }

    public required string Policy { get; init; }

    public required int Seed { get; init; }

    public required string Mode { get; init; }

    public required IReadOnlyList<CurvePoint> Curve { get; init; }

    /// <summary>GPU allocation ratio (% of capacity) in the bin where arrived demand is 100% of capacity.</summary>
    public double AllocAt100 => At(100)?.AllocationPercent ?? double.NaN;

    public double AllocAt130 => At(130)?.AllocationPercent ?? double.NaN;

    public double FragAt100 => At(100)?.FragmentPercent ?? double.NaN;

    public required int SubmittedPods { get; init; }

    public required int FailedPods { get; init; }

    /// <summary>Allocated GPU (% of capacity) when the run ended.</summary>
    public required double FinalAllocationPercent { get; init; }

    public required double WallSeconds { get; init; }

    /// <summary>MIG GPUs re-partitioned during the run (replay mode; 0 without MIG nodes that allow it).</summary>
    public int MigRepartitions { get; init; }

    /// <summary>MIG fragmentation in percent (see <see cref="Engine.Sharing.SharedGpus.MigFragmentPercent"/>), the mean over the events until the last arrival; 0 without MIG.</summary>
    public double MigFragmentPercent { get; init; }

    /// <summary>Hash of every decision, in order; equal for equal inputs and seeds.</summary>
    public required string EventLogHash { get; init; }

    public CurvePoint? At(int bin) => bin >= 0 && bin < Curve.Count ? Curve[bin] : null;
}
