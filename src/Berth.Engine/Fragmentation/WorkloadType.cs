namespace Berth.Engine.Fragmentation;

/// <summary>
/// One kind of pod in the target workload: its CPU, per-GPU share, GPU count and allowed models
/// (empty = any), with the probability that an arriving pod is of this kind. Memory is not part of a type.
/// </summary>
public sealed record WorkloadType(long CpuMilli, int GpuMilli, int GpuCount, IReadOnlyList<string> Models, double Probability)
{
    /// <summary>How many pods of the source list had this type.</summary>
    public int Count { get; init; }

    public override string ToString() =>
        $"cpu={CpuMilli}m gpu={GpuCount}x{GpuMilli}m models=[{string.Join('|', Models)}] p={Probability:0.0000}";
}
