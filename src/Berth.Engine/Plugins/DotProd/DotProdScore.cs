using Berth.Engine.Framework;

namespace Berth.Engine.Plugins.DotProd;

/// <summary>
/// Dot product: node vector <c>[cpuFree/128000, gpuFree/8000]</c> times pod vector
/// <c>[cpu/128000, gpu/8000]</c>; score <c>trunc(100 (1 - dot / 2))</c>, so the smallest product wins.
/// </summary>
internal sealed class DotProdScore : IScorePlugin
{
    public const string PluginName = "DotProd";

    public string Name => PluginName;

    public double Score(CycleState state, int node)
    {
        var cluster = state.Cluster;
        var request = state.Request;
        var dot = cluster.FreeCpu[node] / Normalisation.CpuMilli * (request.CpuMilli / Normalisation.CpuMilli)
                  + cluster.FreeGpuMilli[node] / Normalisation.GpuMilli * (request.GpuDemandMilli / Normalisation.GpuMilli);
        return Math.Truncate(100 * (1 - dot / 2));
    }
}
