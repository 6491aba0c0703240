namespace Berth.Engine.Fragmentation;

/// <summary>
/// One kind of pod in the target workload: its CPU, per-GPU share, GPU count and allowed models
/// (empty = any), with the probability that an arriving pod is of this kind. Memory is not part of the key:
/// pods of one type may ask for different memory, and <see cref="MemoryMiB"/> is their median.
/// </summary>
public sealed record WorkloadType(long CpuMilli, int GpuMilli, int GpuCount, IReadOnlyList<string> Models, double Probability)
{
    /// <summary>How many pods of the source list had this type.</summary>
    public int Count { get; init; }

    /// <summary>The median memory of the source pods of this type, in MiB (not part of the type's key).</summary>
    public long MemoryMiB { get; init; }

    public override string ToString() =>
        $"cpu={CpuMilli}m gpu={GpuCount}x{GpuMilli}m models=[{string.Join('|', Models)}] p={Probability:0.0000}";
}
