namespace Berth.Kubernetes.Views;

/// <summary>
/// One GPU of a node in a <see cref="ClusterPicture"/>: its index, model, health, the pods holding (a share of) it, and
/// how busy telemetry last saw it (null: no fresh sample).
/// </summary>
internal sealed record GpuSlot(int Index, string Model, bool Healthy, List<GpuHold> Holders, double? Activity = null)
{
    /// <summary>The part of the GPU its holders take (1: all of it).</summary>
    public double Held => Holders.Sum(h => h.Share);
}
