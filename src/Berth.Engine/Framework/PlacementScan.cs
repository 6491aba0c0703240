namespace Berth.Engine.Framework;

/// <summary>How a <see cref="Placer"/> finds the best node. Every mode gives the same decision; they differ in speed.</summary>
public enum PlacementScan
{
    /// <summary>Grouped when the profile allows it and the cluster has at least <see cref="Placer.GroupedFromNodes"/> nodes; otherwise full.</summary>
    Auto,

    /// <summary>Filter and score every node for every decision.</summary>
    Full,

    /// <summary>
    /// Alike nodes grouped per pod shape and scored once per group, the groups kept up to date from the nodes that
    /// changed (<see cref="NodeGroupIndex{TKey}"/>); falls back to the full scan where the profile does not allow it.
    /// </summary>
    Grouped,
}
