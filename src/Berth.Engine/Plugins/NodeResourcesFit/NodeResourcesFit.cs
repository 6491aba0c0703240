using Berth.Engine.Framework;

namespace Berth.Engine.Plugins.NodeResourcesFit;

/// <summary>Filter: the node has the pod's CPU and memory free.</summary>
internal sealed class NodeResourcesFit : IFilterPlugin
{
    public const string PluginName = "NodeResourcesFit";
    public const string InsufficientCpu = "Insufficient cpu";
    public const string InsufficientMemory = "Insufficient memory";

    public string Name => PluginName;

    public Status Filter(CycleState state, int node)
    {
        var cluster = state.Cluster;
        var request = state.Request;
        if (request.CpuMilli > cluster.FreeCpu[node])
        {
            return Status.Unschedulable(InsufficientCpu);
        }

        return request.MemoryMiB > cluster.FreeMemory[node] ? Status.Unschedulable(InsufficientMemory) : Status.Success;
    }
}
