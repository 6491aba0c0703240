using Berth.Engine.Sharing;
using Berth.Model;
using Berth.Model.Gpus;

namespace Berth.Simulation.Input;

/// <summary>
/// What the simulator can run of what the files can say about GPU sharing. MIG (static and re-partitioned layouts),
/// time-sliced and MPS nodes are placed; a pod asking for more MIG instances than the engine packs per pod is not.
/// Drivers call this after reading, so such input is refused as input, naming the file, the pod and the fix,
/// instead of failing deep in the engine.
/// </summary>
public static class SharingSupport
{
    /// <summary>Throws <see cref="InputException"/> for the first pod asking for more than <see cref="SharedGpus.MaxMigInstancesPerPod"/> MIG instances.</summary>
    public static void EnsureSimulatable(string file, IEnumerable<Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(pods);
        if (pods.FirstOrDefault(p => p.MigCount > SharedGpus.MaxMigInstancesPerPod) is { } pod)
        {
            throw new InputException($"{file}: pod {pod.Name} asks for {pod.MigCount} x {GpuResourceNames.MigPrefix}{pod.MigProfile}; the simulator places at most {SharedGpus.MaxMigInstancesPerPod} MIG instances per pod, so split it into pods of up to {SharedGpus.MaxMigInstancesPerPod}");
        }
    }
}
