using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Plugins.TightestFit;

/// <summary>
/// Chooses GPUs inside a node: a sharing pod takes the GPU with the least free capacity that still fits
/// (lowest index on ties); whole-GPU pods take the lowest-index fully free GPUs.
/// </summary>
internal sealed class TightestFitGpuSelector : IGpuSelector
{
    public const string PluginName = "TightestFit";

    public string Name => PluginName;

    public int SelectGpus(CycleState state, int node) => Select(state.Cluster, state.Request, node);

    internal static int Select(ClusterState cluster, in PodRequest request, int node)
    {
        if (request.IsCpuOnly)
        {
            return 0;
        }

        var free = cluster.GpuFreeOf(node);
        if (request.GpuMilli < Limits.GpuMilliPerGpu)
        {
            var best = -1;
            for (var g = 0; g < free.Length; g++)
            {
                if (free[g] >= request.GpuMilli && (best < 0 || free[g] < free[best]))
                {
                    best = g;
                }
            }

            return best < 0 ? 0 : 1 << best;
        }

        return LowestFullyFree(free, request.GpuCount);
    }

    internal static int LowestFullyFree(ReadOnlySpan<int> free, int count)
    {
        var mask = 0;
        for (var g = 0; g < free.Length && count > 0; g++)
        {
            if (free[g] == Limits.GpuMilliPerGpu)
            {
                mask |= 1 << g;
                count--;
            }
        }

        return count == 0 ? mask : 0;
    }
}
