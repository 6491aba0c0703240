using Berth.Engine.Framework;
using Berth.Engine.Plugins.TightestFit;
using Berth.Model;

namespace Berth.Engine.Plugins.RandomGpu;

/// <summary>Chooses GPUs at random: a sharing pod goes on a uniformly random GPU that fits; whole-GPU pods take the lowest-index free GPUs.</summary>
internal sealed class RandomGpuSelector : IGpuSelector
{
    public const string PluginName = "RandomGpu";

    public string Name => PluginName;

    public int SelectGpus(CycleState state, int node)
    {
        var request = state.Request;
        var free = state.Cluster.GpuFreeOf(node);
        if (request.IsCpuOnly)
        {
            return 0;
        }

        if (request.GpuMilli >= Limits.GpuMilliPerGpu)
        {
            return TightestFitGpuSelector.LowestFullyFree(free, request.GpuCount);
        }

        var fitting = 0;
        for (var g = 0; g < free.Length; g++)
        {
            if (free[g] >= request.GpuMilli)
            {
                fitting++;
            }
        }

        var pick = state.Random.Next(fitting);
        for (var g = 0; g < free.Length; g++)
        {
            if (free[g] >= request.GpuMilli && pick-- == 0)
            {
                return 1 << g;
            }
        }

        return 0;
    }
}
