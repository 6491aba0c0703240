namespace Berth.Runtime.Yield;

/// <summary>
/// What a job (or a queue's jobs together) asked for and what its measured use says it needs.
/// </summary>
/// <param name="AskedGpus">GPUs requested (for a queue: over its jobs).</param>
/// <param name="P95BusyGpus">95th percentile of busy GPUs over the samples (8 GPUs at 25% are 2 busy GPUs); for a queue, the sum of its jobs'.</param>
/// <param name="PeakBusyGpus">Highest busy GPUs seen (for a queue: the sum of its jobs' peaks).</param>
/// <param name="Samples">Samples the figures rest on.</param>
/// <param name="RecommendedGpus">Whole GPUs that cover the p95 (never more than asked; at least 1).</param>
/// <param name="MigProfile">A MIG profile of the job's GPU model that covers the p95 when it is under one GPU; null otherwise.</param>
/// <param name="Text">One line for people: "asked 8 GPUs, used at most 2 at p95: 2 GPUs would do".</param>
public sealed record RightSize(int AskedGpus, double P95BusyGpus, double PeakBusyGpus, int Samples, int RecommendedGpus, string? MigProfile, string Text)
{
    /// <summary>True when the job could give GPUs back (a smaller count, or a MIG slice instead of a whole GPU).</summary>
    public bool Oversized => OversizedJobs > 0;

    /// <summary>Jobs the advice covers (1 for a job).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Jobs among them that could give GPUs back.</summary>
    public int OversizedJobs { get; init; }
}
