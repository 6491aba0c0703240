namespace Berth.Model;

/// <summary>
/// One pod's request. GPU demand is <see cref="GpuCount"/> GPUs of <see cref="GpuMilli"/> each:
/// a <em>sharing</em> pod has <c>GpuCount = 1</c> and <c>GpuMilli &lt; 1000</c> and lives on one GPU;
/// a multi-GPU pod takes whole GPUs. A pod is never split across GPUs.
/// </summary>
public sealed record Pod
{
    public required string Name { get; init; }

    public long CpuMilli { get; init; }

    public long MemoryMiB { get; init; }

    public int GpuCount { get; init; }

    /// <summary>Per-GPU share in milli-GPU (1..1000) when <see cref="GpuCount"/> &gt; 0; 0 otherwise.</summary>
    public int GpuMilli { get; init; }

    /// <summary>GPU models the pod may run on; empty means any.</summary>
    public IReadOnlyList<string> AllowedGpuModels { get; init; } = [];

    /// <summary>Labels a node must carry, with these values.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = Node.EmptyLabels;

    public IReadOnlyList<Toleration> Tolerations { get; init; } = [];

    /// <summary>Higher runs first when there is a choice; used by admission in later stages.</summary>
    public int Priority { get; init; }

    /// <summary>Total GPU demand in milli-GPU.</summary>
    public long GpuDemandMilli => (long)GpuCount * GpuMilli;

    public bool IsCpuOnly => GpuCount == 0;

    public bool IsSharing => GpuCount == 1 && GpuMilli < Limits.GpuMilliPerGpu;

    /// <summary>Checks the request's consistency; throws <see cref="ArgumentException"/> naming the field and the fix.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ArgumentException("pod name is empty; give every pod a name", nameof(Name));
        }

        if (CpuMilli < 0)
        {
            throw new ArgumentException($"pod {Name}: cpu_milli is {CpuMilli}; it must be 0 or more", nameof(CpuMilli));
        }

        if (MemoryMiB < 0)
        {
            throw new ArgumentException($"pod {Name}: memory_mib is {MemoryMiB}; it must be 0 or more", nameof(MemoryMiB));
        }

        if (GpuCount < 0 || GpuCount > Limits.MaxGpusPerNode)
        {
            throw new ArgumentException($"pod {Name}: num_gpu is {GpuCount}; it must be between 0 and {Limits.MaxGpusPerNode}", nameof(GpuCount));
        }

        if (GpuMilli < 0 || GpuMilli > Limits.GpuMilliPerGpu)
        {
            throw new ArgumentException($"pod {Name}: gpu_milli is {GpuMilli}; it must be between 0 and {Limits.GpuMilliPerGpu} (1000 = one whole GPU)", nameof(GpuMilli));
        }

        if (GpuCount > 0 && GpuMilli == 0)
        {
            throw new ArgumentException($"pod {Name}: asks for {GpuCount} GPU(s) with gpu_milli 0; set gpu_milli to the per-GPU share (1..1000)", nameof(GpuMilli));
        }

        if (GpuCount > 1 && GpuMilli != Limits.GpuMilliPerGpu)
        {
            throw new ArgumentException($"pod {Name}: asks for {GpuCount} GPUs with gpu_milli {GpuMilli}; a multi-GPU pod takes whole GPUs, so set gpu_milli to 1000", nameof(GpuMilli));
        }
    }
}
