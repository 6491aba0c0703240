namespace Berth.Kubernetes.Telemetry;

/// <summary>
/// How busy the GPUs of one pod were (a 0..1 share) at <see cref="At"/>, as Prometheus answered. With the default query
/// one sample is one GPU of the pod: <see cref="Node"/> and <see cref="Gpu"/> name it (DCGM's <c>Hostname</c> and
/// <c>gpu</c> labels); a query that averages them away leaves both null and only the pod's activity is known.
/// </summary>
public sealed record GpuActivitySample(string Namespace, string Pod, double Activity, DateTimeOffset At)
{
    /// <summary>The node the GPU is on (DCGM's <c>Hostname</c>); null when the series has no such label.</summary>
    public string? Node { get; init; }

    /// <summary>The GPU's index on its node (DCGM's <c>gpu</c>); null when the series has no such label.</summary>
    public int? Gpu { get; init; }

    /// <summary>The pod's key as the controller names pods: <c>namespace/name</c>.</summary>
    public string Key => Namespace + "/" + Pod;

    /// <summary>The GPU's key, <c>node/index</c>, as health marks name GPUs; null unless both labels are there.</summary>
    public string? GpuKey => Node is not null && Gpu is { } gpu ? Node + "/" + gpu.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
}
