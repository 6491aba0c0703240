namespace Berth.Kubernetes.Views;

/// <summary>One GPU of a node in a <see cref="ClusterPicture"/>: its index, model, health and the pods holding (a share of) it.</summary>
internal sealed record GpuSlot(int Index, string Model, bool Healthy, List<GpuHold> Holders)
{
    /// <summary>The part of the GPU its holders take (1: all of it).</summary>
    public double Held => Holders.Sum(h => h.Share);
}
