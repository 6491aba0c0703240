namespace Berth.Simulation.Generation;

/// <summary>One choice of a weighted mix; weights are relative (they need not sum to 1 or 100).</summary>
public readonly record struct Weighted<T>(T Value, double Weight);
