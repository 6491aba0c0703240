namespace Berth.Web;

/// <summary>
/// One GPU of a node: its index, model, how much of it is free (1: all), what holds the rest (a share below 1 is a
/// fraction or a slice of it), and whether it is healthy (an unhealthy GPU takes no new work).
/// </summary>
public sealed record GpuView(int Index, string Model, double Free, IReadOnlyList<GpuHolder> HeldBy)
{
    public bool Healthy { get; init; } = true;
}
