namespace Berth.Runtime.View;

/// <summary>Where Berth placed one pod of an admitted workload: pod set, node, GPU mask and the share of each GPU.</summary>
public sealed record PlannedPlacement(int PodSet, string Node, int GpuMask, int GpuMilli);
