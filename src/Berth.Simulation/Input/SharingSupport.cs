using Berth.Model;
using Berth.Model.Gpus;

namespace Berth.Simulation.Input;

/// <summary>
/// What the simulator can run today of what the files can say: the readers accept GPU sharing (time-slicing,
/// MPS, MIG layouts) and MIG or replica requests, but placement does not use them yet (issue 15). Drivers call
/// this after reading, so such input is refused as input, naming the file, the node or pod and the fix,
/// instead of failing deep in the engine.
/// </summary>
public static class SharingSupport
{
    /// <summary>Throws <see cref="InputException"/> for the first node with shared GPUs or pod asking for MIG instances or replicas.</summary>
    public static void EnsureSimulatable(string file, IEnumerable<Node> nodes, IEnumerable<Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(pods);
        if (nodes.FirstOrDefault(n => n.Sharing.Mode != GpuSharingMode.Exclusive) is { } node)
        {
            throw new InputException($"{file}: node {node.Name} shares its GPUs ({node.Sharing}); the simulator does not place on shared GPUs yet, so remove gpuSharing to simulate this cluster");
        }

        if (pods.FirstOrDefault(p => p.MigCount > 0 || p.SharedGpuReplicas > 0) is { } pod)
        {
            var asks = pod.MigCount > 0 ? $"{GpuResourceNames.MigPrefix}{pod.MigProfile}" : GpuResourceNames.SharedGpu;
            throw new InputException($"{file}: pod {pod.Name} asks for {asks}; the simulator does not place MIG instances or time-sliced replicas yet, so ask for {GpuResourceNames.Gpu} or {GpuResourceNames.GpuShare} to simulate it");
        }
    }
}
