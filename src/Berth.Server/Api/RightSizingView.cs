namespace Berth.Server.Api;

/// <summary>
/// Right-sizing advice for one job or one queue (<c>GET /api/v1/jobs/{id}/rightsizing</c>,
/// <c>GET /api/v1/queues/{name}/rightsizing</c>). <see cref="Advice"/> is null, with <see cref="Note"/> saying why,
/// while there are no samples to judge from.
/// </summary>
public sealed record RightSizingView
{
    /// <summary>The job's id or the queue's name.</summary>
    public required string Subject { get; init; }

    /// <summary>Where the samples come from: <c>nvidia-smi</c> (local GPUs, one per reading), <c>gpuActivity</c> (the job's stated share, simulated nodes).</summary>
    public string? Source { get; init; }

    public int AskedGpus { get; init; }

    public double P95BusyGpus { get; init; }

    public double PeakBusyGpus { get; init; }

    public int Samples { get; init; }

    public int RecommendedGpus { get; init; }

    /// <summary>A MIG profile that would cover the p95 (under one GPU, on a MIG-capable model); null otherwise.</summary>
    public string? MigProfile { get; init; }

    /// <summary>One line: "asked 8 GPUs, used at most 2 at p95 (...): 2 GPUs would do".</summary>
    public string? Advice { get; init; }

    public string? Note { get; init; }
}
