namespace Berth.Engine.Framework;

/// <summary>
/// A score the placer can compute once per group of alike nodes instead of once per node. Contract:
/// <list type="bullet">
/// <item><see cref="Key"/> depends only on the pod's shape (what the pre-filter saw) and on the node's fixed properties
/// and current state, so it changes only when the node's <see cref="ClusterState.VersionOf"/> does;</item>
/// <item><see cref="ScoreOf"/> may depend on the whole cluster (for example how many nodes can still host a type);</item>
/// <item><c>Score(state, node)</c> equals <c>ScoreOf(state, Key(state, node))</c> bit for bit, so a placer using
/// keys decides exactly as one scoring every node.</item>
/// </list>
/// </summary>
public interface IKeyedScorePlugin : IScorePlugin
{
    ScoreKey Key(CycleState state, int node);

    double ScoreOf(CycleState state, in ScoreKey key);
}
