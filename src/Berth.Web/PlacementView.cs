namespace Berth.Web;

/// <summary>Where one pod is bound: its node, its GPU indices, and the share of each GPU (1: whole).</summary>
public sealed record PlacementView(string Pod, string Node, IReadOnlyList<int> Gpus, double GpuShare)
{
    /// <summary>
    /// How busy each of <see cref="Gpus"/> is (0 to 1, same order; an entry is null where no fresh sample says); null
    /// where the source has no per-GPU telemetry at all.
    /// </summary>
    public IReadOnlyList<double?>? GpuActivity { get; init; }
}
