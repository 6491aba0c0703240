namespace Berth.Simulation.Generation;

/// <summary>
/// What <see cref="HyperscaleGenerator"/> builds: a cluster of alike 8-GPU nodes, queues in cohorts with equal
/// nominal shares, and jobs arriving as a Poisson process at a given offered load. Defaults: 12,500 nodes
/// (100,000 GPUs), 30 days, 85% offered load, about a million jobs.
/// </summary>
public sealed record HyperscaleOptions
{
    public int Nodes { get; init; } = 12_500;

    public int Days { get; init; } = 30;

    /// <summary>GPU-time submitted as a share of the GPU-time the cluster has over <see cref="Days"/>, 0..1 or a little above.</summary>
    public double OfferedLoad { get; init; } = 0.85;

    /// <summary>Jobs over the whole span; their durations are scaled so that they offer <see cref="OfferedLoad"/>.</summary>
    public int Jobs { get; init; } = 1_000_000;

    public int Queues { get; init; } = 32;

    public int Cohorts { get; init; } = 4;

    /// <summary>Sigma of the log-normal job durations (before scaling to the offered load).</summary>
    public double DurationSigma { get; init; } = 1.5;

    /// <summary>No job runs longer than this many hours (the distribution's tail is cut, then the mean rescaled).</summary>
    public double MaxDurationHours { get; init; } = 168;

    public int Seed { get; init; } = 1;

    /// <summary>
    /// GPUs per job, by weight: most jobs take one GPU, a tail of gangs of 8-GPU pods up to 512 GPUs (64 nodes).
    /// Sizes above 8 must be multiples of 8.
    /// </summary>
    public IReadOnlyList<Weighted<int>> SizeMix { get; init; } =
    [
        new(1, 60), new(2, 10), new(4, 9), new(8, 12), new(16, 4), new(32, 2.5), new(64, 1.2), new(128, 0.7), new(256, 0.4), new(512, 0.2),
    ];

    /// <summary>Throws naming the first option that cannot be used, and how to fix it.</summary>
    public void Validate()
    {
        Require(Nodes >= 1, nameof(Nodes), $"is {Nodes}; use at least 1 node");
        Require(Days >= 1, nameof(Days), $"is {Days}; use at least 1 day");
        Require(OfferedLoad is > 0 and <= 2, nameof(OfferedLoad), $"is {OfferedLoad}; use a value in (0, 2]");
        Require(Jobs >= 1, nameof(Jobs), $"is {Jobs}; use at least 1 job");
        Require(Queues >= 1 && Cohorts >= 1 && Cohorts <= Queues, nameof(Queues), $"is {Queues} with {Cohorts} cohorts; use at least 1 queue and between 1 cohort and one per queue");
        Require(DurationSigma is >= 0 and <= 5, nameof(DurationSigma), $"is {DurationSigma}; use a value in [0, 5]");
        Require(MaxDurationHours > 0, nameof(MaxDurationHours), $"is {MaxDurationHours}; use a positive number of hours");
        Require(SizeMix.Count > 0 && SizeMix.All(s => s.Weight >= 0 && (s.Value is >= 1 and <= 8 || (s.Value > 8 && s.Value % 8 == 0))) && SizeMix.Sum(s => s.Weight) > 0,
            nameof(SizeMix), "must list sizes 1..8 or multiples of 8, with weights 0 or more and a positive sum");
    }

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"hyperscale option {option} {problem}", option);
        }
    }
}
