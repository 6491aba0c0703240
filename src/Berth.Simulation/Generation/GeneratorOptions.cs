using Berth.Model;
using Berth.Simulation.Input;

namespace Berth.Simulation.Generation;

/// <summary>
/// What <see cref="WorkloadGenerator"/> builds. Defaults describe a production-shaped GPU cluster
/// (GPUs-per-node weights from the openb trace's 1,213 nodes: 24 one-GPU, 518 two-GPU, 54 four-GPU,
/// 617 eight-GPU) and an openb-shaped pod mix. The same options always give the same output.
/// </summary>
public sealed record GeneratorOptions
{
    /// <summary>Number of nodes (GPU and CPU-only together).</summary>
    public int Nodes { get; init; } = 1000;

    /// <summary>Seed of every random choice; the same seed and options give the same cluster and pods.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>GPU model of the GPU nodes, by weight. Every model must be in <see cref="GpuModelCatalog.Default"/>.</summary>
    public IReadOnlyList<Weighted<string>> GpuModelMix { get; init; } =
    [
        new("A100", 45), new("H100", 20), new("V100M32", 15), new("T4", 15), new("L4", 5),
    ];

    /// <summary>GPUs per GPU node, by weight (openb: 24/518/54/617 for 1/2/4/8).</summary>
    public IReadOnlyList<Weighted<int>> GpusPerNodeMix { get; init; } =
    [
        new(1, 24), new(2, 518), new(4, 54), new(8, 617),
    ];

    /// <summary>Share of nodes without GPUs, 0..1.</summary>
    public double CpuOnlyNodeFraction { get; init; }

    /// <summary>A GPU node has <c>NodeBaseCpuMilli + c × gpus</c> milli-cores, c drawn per node from <see cref="CpuMilliPerGpuMix"/>.</summary>
    public long NodeBaseCpuMilli { get; init; } = 8_000;

    /// <summary>
    /// Milli-cores per GPU of a GPU node, by weight. Production fleets mix CPU-rich and CPU-tight GPU nodes
    /// (openb: 8-GPU nodes with 96 or 128 cores, 2-GPU nodes with 16 or 104); on the tight ones GPUs are
    /// stranded when the cores run out first, which is what a fragmentation-aware policy avoids.
    /// </summary>
    public IReadOnlyList<Weighted<long>> CpuMilliPerGpuMix { get; init; } =
    [
        new(6_000, 30), new(12_000, 50), new(24_000, 20),
    ];

    /// <summary>A GPU node has <c>NodeBaseMemoryMiB + MemoryMiBPerGpu × gpus</c> MiB (8 GPUs: 416 GiB).</summary>
    public long NodeBaseMemoryMiB { get; init; } = 32_768;

    public long MemoryMiBPerGpu { get; init; } = 49_152;

    /// <summary>Size of a CPU-only node.</summary>
    public long CpuOnlyNodeCpuMilli { get; init; } = 64_000;

    public long CpuOnlyNodeMemoryMiB { get; init; } = 262_144;

    /// <summary>Nodes per rack (<see cref="TopologyKeys.Rack"/> label). Racks are filled with alike nodes, then shuffled.</summary>
    public int RackSize { get; init; } = 16;

    /// <summary>GPU nodes per NVLink domain (<see cref="TopologyKeys.NvlinkDomain"/> label), within a rack; 1 = each HGX node is its own domain.</summary>
    public int NvlinkDomainSize { get; init; } = 1;

    /// <summary>Exact number of pods; when null, pods are added until their GPU demand reaches <see cref="TargetPercent"/>.</summary>
    public int? Pods { get; init; }

    /// <summary>GPU demand of the workload as a percentage of the cluster's GPU capacity (used when <see cref="Pods"/> is null).</summary>
    public double TargetPercent { get; init; } = 130;

    /// <summary>
    /// Pod kinds by weight: CPU-only, sharing (part of one GPU), one whole GPU, several whole GPUs (gangs of
    /// distributed training). About openb's mix, with more multi-GPU pods (8% against openb's 1%) as in
    /// clusters that train large models.
    /// </summary>
    public double CpuOnlyPodWeight { get; init; } = 12;

    public double SharingPodWeight { get; init; } = 45;

    public double WholeGpuPodWeight { get; init; } = 35;

    public double MultiGpuPodWeight { get; init; } = 8;

    /// <summary>The share of a sharing pod, in milli-GPU, by weight (shaped like openb's most common shares).</summary>
    public IReadOnlyList<Weighted<int>> SharingMilliMix { get; init; } =
    [
        new(100, 4), new(160, 3), new(200, 4), new(250, 5), new(300, 8), new(460, 16),
        new(500, 14), new(600, 8), new(650, 8), new(750, 10), new(810, 20),
    ];

    /// <summary>GPUs of a multi-GPU pod, by weight; sizes larger than the biggest node are dropped.</summary>
    public IReadOnlyList<Weighted<int>> MultiGpuMix { get; init; } =
    [
        new(2, 20), new(4, 20), new(8, 60),
    ];

    /// <summary>
    /// Milli-cores per GPU of a GPU pod, by weight (a sharing pod counts as one GPU); shaped like openb, where
    /// 3 and 11-12 cores per GPU are the most common requests.
    /// </summary>
    public IReadOnlyList<Weighted<long>> GpuPodCpuMilliPerGpuMix { get; init; } =
    [
        new(2_000, 5), new(3_000, 20), new(4_000, 10), new(6_000, 3), new(8_000, 9), new(11_000, 18), new(12_000, 15), new(16_000, 4),
    ];

    /// <summary>Share of GPU pods restricted to one GPU model (picked by GPU capacity among models that can hold the pod), 0..1.</summary>
    public double ModelRestrictedFraction { get; init; } = 0.10;

    /// <summary>
    /// Arrivals are a Poisson process spread over this many seconds (first pod at 0). When null, the window is
    /// chosen so that the pods' GPU-seconds over it make <see cref="OfferedLoadPercent"/> of the cluster's GPU
    /// capacity: replayed in time, the workload then keeps the cluster busy instead of trickling through it.
    /// </summary>
    public long? ArrivalWindowSeconds { get; init; }

    /// <summary>
    /// Offered load (GPU demand × run time over the arrival window, in % of GPU capacity) that sets the arrival
    /// window when <see cref="ArrivalWindowSeconds"/> is null. At 200 the window is about two thirds of a mean run
    /// time: replayed, the cluster is full by the time the last pods arrive and a queue builds, as in a busy
    /// cluster (at 100 it would still be filling: run times are long against the window).
    /// </summary>
    public double OfferedLoadPercent { get; init; } = 200;

    /// <summary>Pod run time is log-normal with this median (seconds) ...</summary>
    public long DurationMedianSeconds { get; init; } = 14_400;

    /// <summary>... and this shape (sigma of the underlying normal).</summary>
    public double DurationSigma { get; init; } = 1.0;

    /// <summary>Throws <see cref="InputException"/> naming the first option that cannot be used, and how to fix it.</summary>
    public void Validate()
    {
        Require(Nodes >= 1, nameof(Nodes), $"is {Nodes}; generate at least 1 node");
        Require(CpuOnlyNodeFraction is >= 0 and <= 1, nameof(CpuOnlyNodeFraction), $"is {CpuOnlyNodeFraction}; it must be between 0 and 1");
        Require(RackSize >= 1, nameof(RackSize), $"is {RackSize}; it must be at least 1");
        Require(NvlinkDomainSize >= 1, nameof(NvlinkDomainSize), $"is {NvlinkDomainSize}; it must be at least 1");
        Require(Pods is null or >= 0, nameof(Pods), $"is {Pods}; it must be 0 or more, or null to use TargetPercent");
        Require(TargetPercent is >= 0 and <= 100_000, nameof(TargetPercent), $"is {TargetPercent}; it must be between 0 and 100000");
        Require(NodeBaseCpuMilli >= 0 && NodeBaseMemoryMiB >= 0 && MemoryMiBPerGpu >= 0 && CpuOnlyNodeCpuMilli >= 0 && CpuOnlyNodeMemoryMiB >= 0, "node sizes", "are negative; every CPU and memory size must be 0 or more");
        Require(ModelRestrictedFraction is >= 0 and <= 1, nameof(ModelRestrictedFraction), $"is {ModelRestrictedFraction}; it must be between 0 and 1");
        Require(ArrivalWindowSeconds is null or >= 0, nameof(ArrivalWindowSeconds), $"is {ArrivalWindowSeconds}; it must be 0 or more, or null to follow OfferedLoadPercent");
        Require(OfferedLoadPercent is > 0 and <= 100_000, nameof(OfferedLoadPercent), $"is {OfferedLoadPercent}; it must be above 0 and at most 100000");
        Require(DurationMedianSeconds >= 1, nameof(DurationMedianSeconds), $"is {DurationMedianSeconds}; it must be at least 1");
        Require(DurationSigma is >= 0 and <= 10, nameof(DurationSigma), $"is {DurationSigma}; it must be between 0 and 10");
        double[] kinds = [CpuOnlyPodWeight, SharingPodWeight, WholeGpuPodWeight, MultiGpuPodWeight];
        Require(kinds.All(w => w >= 0 && double.IsFinite(w)) && kinds.Sum() > 0, "pod kind weights", "must be 0 or more with a positive sum");
        CheckMix(GpuModelMix, nameof(GpuModelMix), m => GpuModelCatalog.Default.Contains(m), $"names a model outside the catalog; use {string.Join(", ", GpuModelCatalog.Default.Names)}");
        CheckMix(GpusPerNodeMix, nameof(GpusPerNodeMix), g => g is >= 1 and <= Limits.MaxGpusPerNode, $"has a GPU count outside 1..{Limits.MaxGpusPerNode}");
        CheckMix(SharingMilliMix, nameof(SharingMilliMix), m => m is >= 1 and < Limits.GpuMilliPerGpu, "has a share outside 1..999 milli-GPU");
        CheckMix(CpuMilliPerGpuMix, nameof(CpuMilliPerGpuMix), c => c >= 0, "has a negative CPU size");
        CheckMix(GpuPodCpuMilliPerGpuMix, nameof(GpuPodCpuMilliPerGpuMix), c => c >= 0, "has a negative CPU size");
        CheckMix(MultiGpuMix, nameof(MultiGpuMix), g => g is >= 2 and <= Limits.MaxGpusPerNode, $"has a GPU count outside 2..{Limits.MaxGpusPerNode}");
    }

    private static void CheckMix<T>(IReadOnlyList<Weighted<T>> mix, string name, Func<T, bool> valid, string problem)
    {
        Require(mix is { Count: > 0 } && mix.All(w => w.Weight >= 0 && double.IsFinite(w.Weight)) && mix.Sum(w => w.Weight) > 0, name, "must list at least one choice, with weights 0 or more and a positive sum");
        Require(mix.All(w => valid(w.Value)), name, problem);
        Require(mix.Select(w => w.Value).Distinct().Count() == mix.Count, name, "lists a choice twice; list each once");
    }

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new InputException($"generator option {option} {problem}");
        }
    }
}
