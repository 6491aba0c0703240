using Berth.Engine.Framework;

namespace Berth.Engine.Plugins.BestFit;

/// <summary>
/// Best fit: the node left with the least (CPU, GPU) after the pod wins. Leftover
/// <c>L = 0.5 (cpuFree - cpu) / 128000 + 0.5 (gpuFree - gpu) / 8000</c> (normalised by the largest openb node),
/// score <c>trunc(100 (1 - L))</c>, then min-max rescaled to 0..100 over the feasible nodes.
/// </summary>
internal sealed class BestFitScore : INormalizeScorePlugin
{
    public const string PluginName = "BestFit";

    public string Name => PluginName;

    public double Score(CycleState state, int node)
    {
        var cluster = state.Cluster;
        var request = state.Request;
        var leftover = 0.5 * (cluster.FreeCpu[node] - request.CpuMilli) / Normalisation.CpuMilli
                       + 0.5 * (cluster.FreeGpuMilli[node] - request.GpuDemandMilli) / Normalisation.GpuMilli;
        return Math.Truncate(100 * (1 - leftover));
    }

    public void Normalize(CycleState state, ReadOnlySpan<int> nodes, Span<double> scores) => Normalisation.MinMax(scores);
}
