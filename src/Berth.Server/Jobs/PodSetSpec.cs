namespace Berth.Server.Jobs;

/// <summary>
/// One group of identical pods of a submitted job: <see cref="Count"/> pods (at least <see cref="MinCount"/> for an
/// elastic job), each asking for <see cref="Gpus"/> whole GPUs or a <see cref="GpuShare"/> of one (never both), CPU
/// cores and memory. As submitted; the server checks it in <see cref="JobValidation"/>.
/// </summary>
public sealed record PodSetSpec
{
    public string Name { get; init; } = "main";

    public int Count { get; init; } = 1;

    /// <summary>Null: not elastic (the whole count or nothing).</summary>
    public int? MinCount { get; init; }

    public int Gpus { get; init; }

    /// <summary>A share of one GPU, more than 0 and less than 1 (0.5: half a GPU); null for whole GPUs.</summary>
    public double? GpuShare { get; init; }

    /// <summary>
    /// With <see cref="GpuShare"/>: GPU memory each pod may pin on its GPU, in GiB (the MPS memory limit the local
    /// executor sets). Placement does not count GPU memory yet.
    /// </summary>
    public double? GpuMemoryGiB { get; init; }

    /// <summary>CPU cores per pod.</summary>
    public double Cpu { get; init; }

    /// <summary>Memory per pod in GiB.</summary>
    public double MemoryGiB { get; init; }
}
