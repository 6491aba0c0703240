namespace Berth.Engine.Sharing;

/// <summary>
/// Where a shared-GPU pod goes on one node, and what it costs there. <see cref="Mask"/> is the placement as the
/// engine passes it around in place of a GPU mask: for replicas, bit g = GPU g; for MIG, one 7-bit field per
/// instance (<see cref="MigMask"/>). Lower <see cref="Repartitions"/>, then lower <see cref="Growth"/>, then lower
/// <see cref="FreeSlices"/> (the fuller GPU) is better.
/// </summary>
/// <param name="Mask">The placement, as above.</param>
/// <param name="Repartitions">GPUs re-partitioned to make the pod's instances (0 when idle instances served it).</param>
/// <param name="Growth">How much the MIG fragment measure grows; for replicas 0.</param>
/// <param name="FreeSlices">Free memory slices (MIG) or replicas (time-slicing, MPS) left on the chosen GPU.</param>
public readonly record struct SharedChoice(int Mask, int Repartitions, long Growth, int FreeSlices)
{
    /// <summary>True when this choice is strictly better than <paramref name="other"/>.</summary>
    public bool IsBetterThan(in SharedChoice other) =>
        (Repartitions, Growth, FreeSlices).CompareTo((other.Repartitions, other.Growth, other.FreeSlices)) < 0;
}
