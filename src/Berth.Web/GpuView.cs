namespace Berth.Web;

/// <summary>
/// One GPU of a node: its index, model, how much of it is free (1: all), what holds the rest (a share below 1 is a
/// fraction or a slice of it), whether it is healthy (an unhealthy GPU takes no new work), and how busy it is.
/// </summary>
public sealed record GpuView(int Index, string Model, double Free, IReadOnlyList<GpuHolder> HeldBy)
{
    public bool Healthy { get; init; } = true;

    /// <summary>
    /// How busy the GPU is, 0 to 1 (SM activity from DCGM on Kubernetes, utilization from nvidia-smi on the server,
    /// the job's stated activity on simulated nodes); null where no fresh telemetry says (unknown, never shown as idle).
    /// </summary>
    public double? Activity { get; init; }
}
