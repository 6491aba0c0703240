using Berth.Engine.Framework;

namespace Berth.Engine.Sharing;

/// <summary>
/// Each node's best place for one shape of shared request (profile and count, or replicas and GPU memory), kept with
/// the node's <see cref="ClusterState.VersionOf"/> when it was worked out: a node that has not changed since gives
/// the same answer, so a decision re-examines only the nodes that changed. Not thread-safe.
/// </summary>
internal sealed class SharedChoiceMemo
{
    private readonly int[] _version;
    private readonly SharedChoice[] _choice;
    private readonly bool[] _fits;

    public SharedChoiceMemo(int nodeCount)
    {
        _version = new int[nodeCount];
        Array.Fill(_version, int.MinValue);
        _choice = new SharedChoice[nodeCount];
        _fits = new bool[nodeCount];
    }

    /// <summary>As <see cref="SharedGpus.TryChoose"/>, from the memo while <paramref name="node"/> is unchanged.</summary>
    public bool TryChoose(ClusterState cluster, int node, in PodRequest request, out SharedChoice choice)
    {
        var version = cluster.VersionOf(node);
        if (_version[node] != version)
        {
            _fits[node] = cluster.Shared.TryChoose(node, request, out _choice[node]);
            _version[node] = version;
        }

        choice = _choice[node];
        return _fits[node];
    }
}
