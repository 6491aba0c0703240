namespace Berth.Kubernetes.Telemetry;

/// <summary>How busy the GPUs of one pod were (a 0..1 share) at <see cref="At"/>, as Prometheus answered.</summary>
public sealed record GpuActivitySample(string Namespace, string Pod, double Activity, DateTimeOffset At)
{
    /// <summary>The pod's key as the controller names pods: <c>namespace/name</c>.</summary>
    public string Key => Namespace + "/" + Pod;
}
