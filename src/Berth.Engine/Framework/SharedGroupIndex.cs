using Berth.Engine.Sharing;

namespace Berth.Engine.Framework;

/// <summary>
/// For one shared-GPU pod class, the feasible nodes grouped by their best place (<see cref="SharedChoice"/>, the
/// placement mask included), the groups kept in order of that choice, best first. A decision walks the groups from
/// the front, skips empty ones, and among the groups tied with the first non-empty one takes the lowest-ranked node:
/// the node and place the scan of every node would take, at a cost of a few groups instead of every node. Not
/// thread-safe; owned by one <see cref="Placer"/>.
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
    /// Brings the groups up to date through <paramref name="grouper"/>, then the best choice and the lowest rank among
    /// the nodes that have it (ties: choices neither better than the other); false when no node is feasible.
    /// </summary>
    public bool TryBest(INodeGrouper<SharedChoice> grouper, out int rank, out SharedChoice choice)
    {
        _index.CatchUp(grouper);
        for (var g = _order.Count; g < _index.GroupCount; g++)
        {
            Insert(g);
        }

        rank = int.MaxValue;
        choice = default;
        var found = false;
        foreach (var g in _order)
        {
            if (_index.CountOf(g) == 0)
            {
                continue;
            }

            var key = _index.KeyOf(g);
            if (found && choice.IsBetterThan(key))
            {
                break; // every group from here on is worse
            }

            var lowest = _index.LowestRank(g);
            if (lowest < rank)
            {
                rank = lowest;
                choice = key;
            }

            found = true;
        }

        return found;
    }

    // After the last group its key is not better than: groups of tied keys stay in creation order, which does not matter.
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
