using Berth.Engine.Sharing;

namespace Berth.Engine.Framework;

/// <summary>
/// For one shared-GPU pod class, the feasible nodes grouped by what their best place costs (<see cref="SharedChoice"/>
/// with no mask: re-partitions, MIG fragment growth, free slices), the groups kept in order of that cost, best first.
/// A decision walks the groups from the front, skips empty ones and takes the lowest-ranked node of the first: the node
/// the scan of every node would take, at a cost of a few groups instead of every node. Not thread-safe; owned by one
/// <see cref="Placer"/>.
/// </summary>
internal sealed class SharedGroupIndex
{
    private readonly NodeGroupIndex<SharedChoice> _index;
    private readonly List<int> _order = [];

    public SharedGroupIndex(ClusterState cluster, int[] rankOf, int[] nodeOfRank) =>
        _index = new NodeGroupIndex<SharedChoice>(cluster, rankOf, nodeOfRank);

    /// <summary>The decision that used this index last (for evicting the least recently used).</summary>
    public long LastUsed { get; set; }

    /// <summary>Feasible nodes, all groups together (after <see cref="TryBest"/>).</summary>
    public int Feasible => _index.Feasible;

    /// <summary>
    /// Brings the groups up to date through <paramref name="grouper"/> (keys without a mask), then the lowest rank among
    /// the nodes whose best place costs least; false when no node is feasible.
    /// </summary>
    public bool TryBest(INodeGrouper<SharedChoice> grouper, out int rank)
    {
        _index.CatchUp(grouper);
        for (var g = _order.Count; g < _index.GroupCount; g++)
        {
            Insert(g);
        }

        foreach (var g in _order)
        {
            if (_index.CountOf(g) > 0)
            {
                rank = _index.LowestRank(g);
                return true;
            }
        }

        rank = -1;
        return false;
    }

    // After the last group its key is not better than (keys are distinct costs, so no two groups tie).
    private void Insert(int group)
    {
        var key = _index.KeyOf(group);
        var at = _order.Count;
        while (at > 0 && key.IsBetterThan(_index.KeyOf(_order[at - 1])))
        {
            at--;
        }

        _order.Insert(at, group);
    }
}
