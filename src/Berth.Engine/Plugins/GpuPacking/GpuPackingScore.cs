using Berth.Engine.Framework;
using Berth.Engine.Plugins.TightestFit;
using Berth.Model;

namespace Berth.Engine.Plugins.GpuPacking;

/// <summary>
/// GPU packing: prefer GPUs already in use, then nodes already in use, and open an idle node last
/// (smaller idle nodes first). Idle node with n GPUs: <c>max(33 - n, n)</c>; the pod needs fully free
/// GPUs of a used node: <c>max(50 - fully free GPUs it takes, 33)</c>; the pod fits in partly used GPUs:
/// <c>max(100 - S / 10, 50)</c>, S = sum of <c>floor(free * 100 / 1000)</c> over the GPUs it would take.
/// CPU-only pods score 0 everywhere.
/// </summary>
internal sealed class GpuPackingScore : IScorePlugin
{
    public const string PluginName = "GpuPacking";

    public string Name => PluginName;

    public double Score(CycleState state, int node)
    {
        var cluster = state.Cluster;
        var request = state.Request;
        if (request.IsCpuOnly)
        {
            return 0;
        }

        var n = cluster.GpuCountOf[node];
        var fullyFree = cluster.FullyFreeGpus[node];
        if (fullyFree == n)
        {
            return Math.Max(33 - n, n);
        }

        var mask = TightestFitGpuSelector.Select(cluster, request, node);
        var free = cluster.GpuFreeOf(node);
        var fullyFreeTaken = 0;
        var s = 0;
        for (var g = 0; g < free.Length; g++)
        {
            if ((mask & (1 << g)) != 0)
            {
                s += free[g] * 100 / Limits.GpuMilliPerGpu;
                fullyFreeTaken += free[g] == Limits.GpuMilliPerGpu ? 1 : 0;
            }
        }

        if (fullyFreeTaken > 0)
        {
            return Math.Max(50 - fullyFreeTaken, 33);
        }

        return Math.Max(100 - s / 10, 50);
    }
}
