namespace Berth.Engine.Framework;

/// <summary>
/// Told when a pod's resources are taken on a node (Reserve) or given back (Unreserve), after the cluster
/// state changed. Reserve followed by Unreserve of the same assignment must leave the plugin as it was.
/// </summary>
public interface IReservePlugin : IPlugin
{
    void Reserve(in PodRequest request, int node, int gpuMask);

    void Unreserve(in PodRequest request, int node, int gpuMask);
}
