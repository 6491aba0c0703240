namespace Berth.Model;

/// <summary>
/// Where a pod runs: a node, and on it the GPUs it holds, each with <see cref="GpuMilli"/> milli-GPU.
/// <see cref="GpuIndices"/> is empty for CPU-only pods.
/// </summary>
public sealed record Assignment(string PodName, string NodeName, int NodeIndex, IReadOnlyList<int> GpuIndices, int GpuMilli)
{
    public override string ToString() =>
        GpuIndices.Count == 0
            ? $"{PodName} -> {NodeName}"
            : $"{PodName} -> {NodeName} gpus [{string.Join(',', GpuIndices)}] x {GpuMilli}m";
}
