namespace Berth.Runtime.Yield;

/// <summary>GPU-hours of one queue, (on Kubernetes) namespace, user and GPU model over a usage report's period, and what they cost.</summary>
public sealed record UsageRow
{
    public required string Queue { get; init; }

    /// <summary>The Kubernetes namespace of the workloads (the operator's report); null on the server, which has none.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// Who submitted the jobs: on the server the name of the token (<c>unknown</c> for jobs from before the server
    /// recorded it); on Kubernetes the workload's <c>berth.dev/user</c> (its creator, recorded by Berth's webhook; <c>unknown</c> without one).
    /// </summary>
    public required string User { get; init; }

    /// <summary>The GPU model of the nodes the jobs ran on (<c>unknown</c> when the node is gone from the configuration).</summary>
    public required string GpuModel { get; init; }

    /// <summary>Jobs that held GPUs within the period.</summary>
    public int Jobs { get; init; }

    /// <summary>GPUs held times hours held, within the period.</summary>
    public double AllocatedGpuHours { get; init; }

    /// <summary>Allocated GPU-hours weighted by GPU activity (measured by nvidia-smi, else the job's stated gpuActivity; 0 when neither).</summary>
    public double UsedGpuHours { get; init; }

    /// <summary>Allocated GPU-hours times the model's price; null when the price table has no price for the model.</summary>
    public double? Cost { get; init; }
}
