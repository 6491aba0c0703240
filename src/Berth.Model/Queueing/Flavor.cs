namespace Berth.Model.Queueing;

/// <summary>
/// A named kind of capacity (Kueue ResourceFlavor): the nodes whose labels include all of
/// <see cref="NodeLabels"/>. Pods admitted in this flavor are steered to those nodes (the labels become
/// part of their node selector) and tolerate <see cref="Tolerations"/> (the taints of those nodes).
/// </summary>
public sealed record Flavor(string Name)
{
    public IReadOnlyDictionary<string, string> NodeLabels { get; init; } = Node.EmptyLabels;

    public IReadOnlyList<Toleration> Tolerations { get; init; } = [];

    /// <summary>
    /// The topology levels of this flavor's nodes, widest first (for example block, rack, hostname), as Kueue's
    /// Topology object lists them. A pod set that prefers one level and finds no domain of it with room tries the
    /// next wider level, and so on up to its required level; empty: preferred levels are taken as listed.
    /// </summary>
    public IReadOnlyList<string> TopologyLevels { get; init; } = [];

    /// <summary>
    /// Spot (preemptible cloud) capacity: its nodes may be reclaimed at short notice, so only work that
    /// <see cref="Workload.MayRunOnSpot"/> is admitted here; everything else would lose its progress.
    /// </summary>
    public bool Spot { get; init; }

    /// <summary>True when <paramref name="node"/> belongs to this flavor.</summary>
    public bool Matches(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        foreach (var (key, value) in NodeLabels)
        {
            if (!node.Labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
