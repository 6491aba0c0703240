using Berth.Engine.Framework;

namespace Berth.Engine.Plugins.CpuOnlyPacking;

/// <summary>
/// A tie-break for CPU-only pods: the node with the least free GPU wins, so CPU-only pods use the CPU of nodes
/// whose GPUs are already taken instead of the CPU that idle GPUs will need. Every node scores 0 for a GPU pod,
/// so GPU pods keep the ties the profile's next tie-break decides.
/// </summary>
internal sealed class CpuOnlyPackingScore : IKeyedScorePlugin
{
    public const string PluginName = "CpuOnlyPacking";

    public string Name => PluginName;

    public double Score(CycleState state, int node) =>
        state.Request.IsCpuOnly ? -state.Cluster.FreeGpuMilli[node] : 0;

    public ScoreKey Key(CycleState state, int node) => new(Score(state, node), 0);

    public double ScoreOf(CycleState state, in ScoreKey key) => key.Value;
}
