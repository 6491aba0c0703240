using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Plugins.GpuClustering;

/// <summary>
/// GPU clustering: keep pods of the same GPU shape together. Pods are tagged share, 1-gpu, 2-gpu,
/// 4-gpu or 8-gpu (more than 8 counts as 8); base <c>b = floor(25 (8000 - gpuFree) / 8000)</c>;
/// score <c>b + 75</c> if every GPU pod on the node has the pod's tag, <c>b + 50</c> if the node hosts
/// that tag and others, <c>b + 25</c> if it hosts no GPU pod, <c>b</c> if only other tags. CPU-only pods score 0.
/// Keeps per-node tag counts through reserve and unreserve.
/// </summary>
internal sealed class GpuClusteringScore : IScorePlugin, IReservePlugin
{
    public const string PluginName = "GpuClustering";
    private const int Tags = 5;

    private readonly int[] _tagCounts;

    public GpuClusteringScore(ClusterState cluster) => _tagCounts = new int[cluster.NodeCount * Tags];

    public string Name => PluginName;

    public double Score(CycleState state, int node)
    {
        var request = state.Request;
        if (request.IsCpuOnly)
        {
            return 0;
        }

        var b = Math.Floor(25.0 * (Normalisation.GpuMilli - state.Cluster.FreeGpuMilli[node]) / Normalisation.GpuMilli);
        var tag = TagOf(request);
        var offset = node * Tags;
        int same = _tagCounts[offset + tag], others = 0;
        for (var t = 0; t < Tags; t++)
        {
            if (t != tag)
            {
                others += _tagCounts[offset + t];
            }
        }

        if (same > 0)
        {
            return b + (others == 0 ? 75 : 50);
        }

        return b + (others == 0 ? 25 : 0);
    }

    public void Reserve(in PodRequest request, int node, int gpuMask)
    {
        if (!request.IsCpuOnly)
        {
            _tagCounts[(node * Tags) + TagOf(request)]++;
        }
    }

    public void Unreserve(in PodRequest request, int node, int gpuMask)
    {
        if (!request.IsCpuOnly)
        {
            _tagCounts[(node * Tags) + TagOf(request)]--;
        }
    }

    private static int TagOf(in PodRequest request) => request.GpuMilli < Limits.GpuMilliPerGpu
        ? 0
        : request.GpuCount switch
        {
            1 => 1,
            2 => 2,
            <= 4 => 3,
            _ => 4,
        };
}
