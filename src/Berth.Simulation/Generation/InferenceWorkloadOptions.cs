namespace Berth.Simulation.Generation;

/// <summary>
/// What <see cref="InferenceWorkloadGenerator"/> builds: many small model servers on MIG-capable GPUs, each asking for
/// one MIG slice, arriving as a Poisson stream and running for an exponential time. The profile mix drifts through
/// <see cref="Phases"/> (which models are popular changes over the day), so no one static layout fits all of it.
/// The same options always give the same requests.
/// </summary>
public sealed record InferenceWorkloadOptions
{
    public int Seed { get; init; } = 1;

    /// <summary>Nodes of <see cref="GpusPerNode"/> GPUs of <see cref="GpuModel"/>.</summary>
    public int Nodes { get; init; } = 8;

    public int GpusPerNode { get; init; } = 8;

    /// <summary>A model with MIG geometry (A100 is the 80 GB A100: profiles 1g.10gb, 2g.20gb, 3g.40gb, ...).</summary>
    public string GpuModel { get; init; } = "A100";

    /// <summary>Requests (model servers) in the trace.</summary>
    public int Requests { get; init; } = 6000;

    /// <summary>Mean time a model server runs, in seconds (exponential).</summary>
    public double MeanRunSeconds { get; init; } = 1800;

    /// <summary>
    /// Offered load: the memory slices the requests would hold on average over the cluster's memory slices
    /// (1.0 = exactly full if packing were perfect). Sets the arrival rate.
    /// </summary>
    public double OfferedLoad { get; init; } = 0.9;

    /// <summary>
    /// Profile mixes, one per phase: the trace is cut into equal phases by arrival order and each draws from its own
    /// mix. Default: 1g-heavy, then 2g-heavy, then 3g-heavy (the profiles of <see cref="GpuModel"/> by compute size).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Weighted<int>>> Phases { get; init; } =
    [
        [new(1, 70), new(2, 20), new(3, 10)],
        [new(1, 20), new(2, 60), new(3, 20)],
        [new(1, 15), new(2, 15), new(3, 70)],
    ];

    /// <summary>Throws <see cref="ArgumentException"/> naming the option and the fix.</summary>
    public void Validate()
    {
        if (Nodes < 1 || GpusPerNode is < 1 or > 16 || Requests < 1)
        {
            throw new ArgumentException($"inference workload: nodes {Nodes}, GPUs per node {GpusPerNode}, requests {Requests}; use at least 1 node, 1 to 16 GPUs per node and 1 request");
        }

        if (MeanRunSeconds <= 0 || OfferedLoad <= 0)
        {
            throw new ArgumentException($"inference workload: mean run {MeanRunSeconds} s, offered load {OfferedLoad}; both must be above 0");
        }

        if (Phases.Count == 0 || Phases.Any(p => p.Count == 0 || p.Any(w => w.Value is not (1 or 2 or 3) || w.Weight < 0) || p.Sum(w => w.Weight) <= 0))
        {
            throw new ArgumentException("inference workload: every phase needs a mix of compute sizes 1, 2 or 3 (the 1g, 2g and 3g profiles) with weights 0 or more, not all 0");
        }
    }
}
