namespace Berth.Web;

/// <summary>Where one pod is bound: its node, its GPU indices, and the share of each GPU (1: whole).</summary>
public sealed record PlacementView(string Pod, string Node, IReadOnlyList<int> Gpus, double GpuShare);
