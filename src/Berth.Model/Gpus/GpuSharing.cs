namespace Berth.Model.Gpus;

/// <summary>
/// How a node's GPUs are shared: exclusive (the default: whole GPUs and Berth's milli-GPU shares), time-sliced
/// into <see cref="Replicas"/> replicas, MPS with <see cref="Replicas"/> clients and per-client limits, or MIG with
/// a layout per GPU. Immutable; build it with the factory members and check it with <see cref="Problem"/>.
/// </summary>
public sealed record GpuSharing
{
    /// <summary>The most replicas or MPS clients per GPU (the CUDA MPS server's client limit).</summary>
    public const int MaxReplicas = 48;

    private GpuSharing(GpuSharingMode mode) => Mode = mode;

    public GpuSharingMode Mode { get; }

    /// <summary>Time-sliced: replicas per GPU; MPS: clients per GPU; 1 otherwise.</summary>
    public int Replicas { get; private init; } = 1;

    /// <summary>MPS only: the share of the GPU's threads each client may use, 1..100 (<c>CUDA_MPS_ACTIVE_THREAD_PERCENTAGE</c>); 0 otherwise.</summary>
    public int MpsActiveThreadPercent { get; private init; }

    /// <summary>MPS only: the GPU memory each client may pin, in MiB (<c>CUDA_MPS_PINNED_DEVICE_MEM_LIMIT</c>); 0 = no limit.</summary>
    public long MpsPinnedMemoryMiB { get; private init; }

    /// <summary>MIG only: one layout for every GPU, or one per GPU in index order; empty otherwise.</summary>
    public IReadOnlyList<MigLayout> MigLayouts { get; private init; } = [];

    /// <summary>
    /// MIG only: true when Berth may re-partition a GPU of the node (create instances around the running ones and
    /// destroy idle ones) when no configured instance fits a pod; false keeps the layouts as configured (static).
    /// </summary>
    public bool MigRepartition { get; private init; }

    /// <summary>One pod per GPU (and milli-GPU shares as today).</summary>
    public static GpuSharing Exclusive { get; } = new(GpuSharingMode.Exclusive);

    public static GpuSharing TimeSliced(int replicas) => new(GpuSharingMode.TimeSliced) { Replicas = replicas };

    /// <param name="clients">MPS clients per GPU.</param>
    /// <param name="activeThreadPercent">Share of the threads per client, 1..100; 0 means an equal share (100 / clients).</param>
    /// <param name="pinnedMemoryMiB">GPU memory each client may pin; 0 means the GPU's memory split equally.</param>
    public static GpuSharing Mps(int clients, int activeThreadPercent = 0, long pinnedMemoryMiB = 0) => new(GpuSharingMode.Mps)
    {
        Replicas = clients,
        MpsActiveThreadPercent = activeThreadPercent == 0 && clients > 0 ? Math.Max(1, 100 / clients) : activeThreadPercent,
        MpsPinnedMemoryMiB = pinnedMemoryMiB,
    };

    /// <summary>MIG with <paramref name="layout"/> on every GPU of the node.</summary>
    public static GpuSharing Mig(MigLayout layout, bool repartition = false) => Mig([layout], repartition);

    /// <summary>MIG with one layout for every GPU, or one per GPU in index order.</summary>
    /// <param name="layouts">One layout for every GPU, or one per GPU in index order: the layouts the GPUs start with.</param>
    /// <param name="repartition">True when Berth may re-partition the GPUs around running instances (<see cref="MigRepartition"/>).</param>
    public static GpuSharing Mig(IReadOnlyList<MigLayout> layouts, bool repartition = false)
    {
        ArgumentNullException.ThrowIfNull(layouts);
        return new(GpuSharingMode.Mig) { MigLayouts = layouts.ToArray(), MigRepartition = repartition };
    }

    /// <summary>The MIG layout of GPU <paramref name="gpu"/>; <see cref="MigLayout.Empty"/> when the node is not in MIG mode.</summary>
    public MigLayout MigLayoutOf(int gpu) => MigLayouts.Count switch
    {
        0 => MigLayout.Empty,
        1 => MigLayouts[0],
        _ => MigLayouts[gpu],
    };

    /// <summary>
    /// Null when this sharing fits a node of <paramref name="gpuCount"/> GPUs of <paramref name="gpuModel"/> with
    /// <paramref name="gpuMemoryMiB"/> each; otherwise what is wrong and the fix. MIG layouts must be placed
    /// (every instance with a start; <see cref="MigGeometry.TryArrange"/> does that) and allowed by NVIDIA.
    /// </summary>
    public string? Problem(int gpuCount, string? gpuModel, long gpuMemoryMiB)
    {
        if (Mode != GpuSharingMode.Exclusive && gpuCount == 0)
        {
            return $"GPU sharing {Mode} is set on a node without GPUs; remove it or give the node GPUs";
        }

        switch (Mode)
        {
            case GpuSharingMode.Exclusive:
                return null;
            case GpuSharingMode.TimeSliced or GpuSharingMode.Mps when Replicas < 2 || Replicas > MaxReplicas:
                return $"{Mode} sharing has {Replicas} replicas per GPU; use 2 to {MaxReplicas} (1 is an unshared GPU: use exclusive)";
            case GpuSharingMode.TimeSliced:
                return null;
            case GpuSharingMode.Mps when MpsActiveThreadPercent is < 1 or > 100:
                return $"MPS active thread percentage is {MpsActiveThreadPercent}; use 1 to 100";
            case GpuSharingMode.Mps when MpsPinnedMemoryMiB < 0 || (gpuMemoryMiB > 0 && MpsPinnedMemoryMiB > gpuMemoryMiB):
                return $"MPS pinned memory limit is {MpsPinnedMemoryMiB} MiB; use 0 (no limit) up to the GPU's {gpuMemoryMiB} MiB";
            case GpuSharingMode.Mps:
                return null;
            default:
                return MigProblem(gpuCount, gpuModel);
        }
    }

    private string? MigProblem(int gpuCount, string? gpuModel)
    {
        if (gpuModel is null || !MigGeometries.TryGet(gpuModel, out var geometry))
        {
            return $"GPU model {gpuModel ?? "(none)"} has no MIG geometry in Berth; MIG is known for {string.Join(", ", MigGeometries.Models)}, so use one of those or another sharing mode";
        }

        if (MigLayouts.Count != 1 && MigLayouts.Count != gpuCount)
        {
            return $"MIG has {MigLayouts.Count} layouts for {gpuCount} GPUs; give one layout for all GPUs or one per GPU";
        }

        for (var i = 0; i < MigLayouts.Count; i++)
        {
            if (geometry.Problem(MigLayouts[i]) is { } problem)
            {
                return MigLayouts.Count == 1 ? problem : $"GPU {i}: {problem}";
            }
        }

        return null;
    }

    public bool Equals(GpuSharing? other) =>
        other is not null && Mode == other.Mode && Replicas == other.Replicas
        && MpsActiveThreadPercent == other.MpsActiveThreadPercent && MpsPinnedMemoryMiB == other.MpsPinnedMemoryMiB
        && MigLayouts.SequenceEqual(other.MigLayouts) && MigRepartition == other.MigRepartition;

    public override int GetHashCode() => HashCode.Combine(Mode, Replicas, MpsActiveThreadPercent, MpsPinnedMemoryMiB, MigLayouts.Count);

    public override string ToString() => Mode switch
    {
        GpuSharingMode.Exclusive => "exclusive",
        GpuSharingMode.TimeSliced => $"time-sliced x{Replicas}",
        GpuSharingMode.Mps => $"MPS x{Replicas} ({MpsActiveThreadPercent}% threads, {MpsPinnedMemoryMiB} MiB)",
        _ => $"MIG [{string.Join(" | ", MigLayouts)}]{(MigRepartition ? " re-partitioned on demand" : "")}",
    };
}
