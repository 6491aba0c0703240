namespace Berth.Web;

/// <summary>The cluster over time: its GPU capacity now, and points oldest first (the source keeps a bounded recent window).</summary>
public sealed record TimelineView(double TotalGpus, IReadOnlyList<TimelinePoint> Points);
