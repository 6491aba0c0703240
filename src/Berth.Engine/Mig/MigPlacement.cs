namespace Berth.Engine.Mig;

/// <summary>Where a new MIG instance goes: a GPU of the node and the start memory slice on it.</summary>
public readonly record struct MigPlacement(int Gpu, int Start);
