namespace Berth.Engine.Framework;

/// <summary>
/// Says, for the pod being placed, whether a node is feasible and which group of alike nodes it belongs to: what a
/// <see cref="NodeGroupIndex{TKey}"/> asks of the nodes that changed. Nodes with equal keys must be interchangeable
/// for the decision but for their rank.
/// </summary>
internal interface INodeGrouper<TKey>
    where TKey : struct, IEquatable<TKey>
{
    /// <summary>True with the node's group key when <paramref name="node"/> is feasible now; false when it is not.</summary>
    bool TryGroupKey(int node, out TKey key);
}
