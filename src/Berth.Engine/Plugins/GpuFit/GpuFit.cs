using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Plugins.GpuFit;

/// <summary>
/// Filter: the node has a GPU assignment for the pod: one GPU with at least the share free (sharing pod),
/// or <c>GpuCount</c> fully free GPUs (whole-GPU pods).
/// </summary>
internal sealed class GpuFit : IFilterPlugin, IPreFilterPlugin
{
    public const string PluginName = "GpuFit";
    public const string TooFewGpus = "node has too few GPUs";
    public const string InsufficientGpu = "Insufficient GPU";
    public const string SharedGpus = "node shares its GPUs (MIG, time-slicing or MPS)";

    public string Name => PluginName;

    public Status PreFilter(CycleState state) => state.Request.IsCpuOnly ? Status.Skip : Status.Success;

    public Status Filter(CycleState state, int node)
    {
        var cluster = state.Cluster;
        var request = state.Request;
        if (cluster.Shared.Any && cluster.Shared.IsShared[node])
        {
            // Whole GPUs and shares are not offered where the device plugin advertises MIG instances or replicas.
            return Status.Unresolvable(SharedGpus);
        }

        if (cluster.GpuCountOf[node] < request.GpuCount)
        {
            return Status.Unresolvable(TooFewGpus);
        }

        var fits = request.GpuMilli >= Limits.GpuMilliPerGpu
            ? cluster.FullyFreeGpus[node] >= request.GpuCount
            : cluster.MaxGpuFree[node] >= request.GpuMilli;
        return fits ? Status.Success : Status.Unschedulable(InsufficientGpu);
    }
}
