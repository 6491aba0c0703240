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

    /// <summary>
    /// GPUs asked for with Kubernetes' resource names, as a pod or a scenario asks for them, amounts as text:
    /// <c>nvidia.com/gpu</c> (whole GPUs), <c>nvidia.com/mig-3g.40gb</c> (MIG instances), <c>nvidia.com/gpu.shared</c>
    /// (time-sliced replicas), <c>berth.dev/gpu-share</c> (milli-GPU) and <c>berth.dev/gpu-memory</c> (<c>20Gi</c>).
    /// Instead of <see cref="Gpus"/> and <see cref="GpuShare"/>, never with them; see <see cref="JobResources"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Resources { get; init; }

    /// <summary>CPU cores per pod.</summary>
    public double Cpu { get; init; }

    /// <summary>Memory per pod in GiB.</summary>
    public double MemoryGiB { get; init; }
}
