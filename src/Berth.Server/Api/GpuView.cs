namespace Berth.Server.Api;

/// <summary>One GPU of a node: its index, model, how much of it is free (1: all), and what holds the rest.</summary>
public sealed record GpuView(int Index, string Model, double Free, IReadOnlyList<GpuHolder> HeldBy);
