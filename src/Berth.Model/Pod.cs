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

    /// <summary>
    /// GPU memory the pod needs on each of its GPUs, in MiB (<c>berth.dev/gpu-memory</c>); 0 when it does not say.
    /// Meaningful for shares, time-sliced replicas and MPS clients; a MIG profile fixes its own memory.
    /// </summary>
    public long GpuMemoryMiB { get; init; }

    /// <summary>The MIG profile asked for (<c>nvidia.com/mig-3g.40gb</c> gives <c>3g.40gb</c>); null when none.</summary>
    public string? MigProfile { get; init; }

    /// <summary>How many MIG instances of <see cref="MigProfile"/> the pod asks for; 0 when none.</summary>
    public int MigCount { get; init; }

    /// <summary>Replicas of a time-sliced GPU asked for (<c>nvidia.com/gpu.shared</c>); 0 when none.</summary>
    public int SharedGpuReplicas { get; init; }

    /// <summary>GPU models the pod may run on; empty means any.</summary>
    public IReadOnlyList<string> AllowedGpuModels { get; init; } = [];

    /// <summary>Labels a node must carry, with these values.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = Node.EmptyLabels;

    public IReadOnlyList<Toleration> Tolerations { get; init; } = [];

    /// <summary>
    /// True when the pod's GPUs, CPUs and memory must come from one NUMA node of a node that describes its topology
    /// (the kubelet topology manager's <c>single-numa-node</c>, asked by the pod); nodes without a topology ignore it.
    /// </summary>
    public bool SingleNumaNode { get; init; }

    /// <summary>Higher runs first when there is a choice; used by admission in later stages.</summary>
    public int Priority { get; init; }

    /// <summary>Total GPU demand in milli-GPU.</summary>
    public long GpuDemandMilli => (long)GpuCount * GpuMilli;

    /// <summary>True when the pod asks for no GPU of any kind (whole, share, MIG instance or time-sliced replica).</summary>
    public bool IsCpuOnly => GpuCount == 0 && MigCount == 0 && SharedGpuReplicas == 0;

    /// <summary>True when the pod asks for MIG instances rather than GPUs.</summary>
    public bool IsMig => MigCount > 0;

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

        ValidateSharedRequests();
    }

    // The requests of GPU sharing: MIG instances, time-sliced replicas and GPU memory. A pod asks for one kind of
    // GPU: GPUs (whole or a share), MIG instances of one profile, or time-sliced replicas, as the device plugin
    // advertises them as separate resources.
    private void ValidateSharedRequests()
    {
        if (GpuMemoryMiB < 0)
        {
            throw new ArgumentException($"pod {Name}: gpu memory is {GpuMemoryMiB} MiB; it must be 0 or more", nameof(GpuMemoryMiB));
        }

        if (MigCount < 0 || MigCount > Limits.MaxGpusPerNode * 7)
        {
            throw new ArgumentException($"pod {Name}: asks for {MigCount} MIG instances; it must be between 0 and {Limits.MaxGpusPerNode * 7}", nameof(MigCount));
        }

        if ((MigCount > 0) != !string.IsNullOrEmpty(MigProfile))
        {
            throw new ArgumentException($"pod {Name}: MIG profile '{MigProfile}' with count {MigCount}; set both (nvidia.com/mig-<profile>: count) or neither", nameof(MigProfile));
        }

        if (SharedGpuReplicas < 0 || SharedGpuReplicas > Gpus.GpuSharing.MaxReplicas)
        {
            throw new ArgumentException($"pod {Name}: asks for {SharedGpuReplicas} time-sliced replicas; it must be between 0 and {Gpus.GpuSharing.MaxReplicas}", nameof(SharedGpuReplicas));
        }

        var kinds = (GpuCount > 0 ? 1 : 0) + (MigCount > 0 ? 1 : 0) + (SharedGpuReplicas > 0 ? 1 : 0);
        if (kinds > 1)
        {
            throw new ArgumentException($"pod {Name}: asks for more than one kind of GPU (GPUs: {GpuCount}, MIG instances: {MigCount}, time-sliced replicas: {SharedGpuReplicas}); ask for one kind", nameof(MigProfile));
        }

        if (GpuMemoryMiB > 0 && MigCount > 0)
        {
            throw new ArgumentException($"pod {Name}: sets gpu memory {GpuMemoryMiB} MiB with MIG profile {MigProfile}; the profile fixes the memory, so remove the gpu memory", nameof(GpuMemoryMiB));
        }

        if (GpuMemoryMiB > 0 && kinds == 0)
        {
            throw new ArgumentException($"pod {Name}: sets gpu memory {GpuMemoryMiB} MiB but asks for no GPU; add a GPU, a share or a time-sliced replica, or remove the gpu memory", nameof(GpuMemoryMiB));
        }
    }
}
