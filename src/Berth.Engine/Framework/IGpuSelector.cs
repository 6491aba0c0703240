namespace Berth.Engine.Framework;

/// <summary>Chooses the GPUs inside the chosen node.</summary>
public interface IGpuSelector : IPlugin
{
    /// <summary>
    /// A bit mask of the node's GPUs to use (bit g = GPU g), with exactly <c>GpuCount</c> bits, each GPU
    /// having at least <c>GpuMilli</c> free; 0 for a CPU-only pod. Called only on a node the filters accepted.
    /// </summary>
    int SelectGpus(CycleState state, int node);
}
