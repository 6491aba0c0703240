namespace Berth.Simulation.Generation;

/// <summary>
/// What <see cref="DiurnalServingGenerator"/> builds: one fleet of 8-GPU nodes in zones and racks, inference services
/// whose replica count follows a day/night curve, and a training backlog beside them. Defaults: 64 nodes (512 GPUs)
/// in 3 zones of 2 racks, 3 days, 12 services that together need about 40% of the fleet at their daily peak and a
/// quarter of that at night, and training jobs offered at 1.2 times what serving leaves on average (a backlog that
/// never drains).
/// </summary>
public sealed record DiurnalServingOptions
{
    public int Nodes { get; init; } = 64;

    public int Zones { get; init; } = 3;

    public int RacksPerZone { get; init; } = 2;

    public int Days { get; init; } = 3;

    public int Services { get; init; } = 12;

    /// <summary>GPUs of one replica (one pod), by weight.</summary>
    public IReadOnlyList<Weighted<int>> ReplicaGpus { get; init; } = [new(1, 4), new(2, 3), new(4, 2), new(8, 1)];

    /// <summary>The services' GPUs at their daily peak, together, as a share of the fleet's GPUs (0 to 1).</summary>
    public double PeakServingShare { get; init; } = 0.4;

    /// <summary>A service's replicas at night as a share of its peak (0 to 1; at least one replica is always kept).</summary>
    public double TroughShare { get; init; } = 0.25;

    /// <summary>How often the autoscaler sets each service's replica count, in minutes.</summary>
    public int StepMinutes { get; init; } = 10;

    /// <summary>Training GPU-time offered as a multiple of the GPU-time serving leaves free on average (above 1: a backlog).</summary>
    public double TrainingLoad { get; init; } = 1.2;

    /// <summary>Mean duration of a training job, in hours (log-normal, sigma 1, cut at 48 hours).</summary>
    public double TrainingMeanHours { get; init; } = 3;

    /// <summary>GPUs of one training job, by weight; sizes above 8 are gangs of 8-GPU pods and must be multiples of 8.</summary>
    public IReadOnlyList<Weighted<int>> TrainingGpus { get; init; } = [new(1, 20), new(2, 15), new(4, 20), new(8, 25), new(16, 12), new(32, 8)];

    /// <summary>The priority class value of serving replicas (training runs at 0): serving goes first by default.</summary>
    public int ServingPriority { get; init; } = 1000;

    /// <summary>A training job runs at least this long before serving may take its GPUs back, in minutes.</summary>
    public int TrainingMinRuntimeMinutes { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Throws naming the first option that cannot be used, and how to fix it.</summary>
    public void Validate()
    {
        Require(Nodes >= 1, nameof(Nodes), $"is {Nodes}; use at least 1 node");
        Require(Zones >= 1 && RacksPerZone >= 1 && Zones * RacksPerZone <= Nodes, nameof(Zones), $"is {Zones} with {RacksPerZone} racks each; use at least 1 of each and no more racks than nodes ({Nodes})");
        Require(Days >= 1, nameof(Days), $"is {Days}; use at least 1 day");
        Require(Services >= 1, nameof(Services), $"is {Services}; use at least 1 service");
        Require(ReplicaGpus.Count > 0 && ReplicaGpus.All(w => w.Value is >= 1 and <= 8 && w.Weight >= 0) && ReplicaGpus.Sum(w => w.Weight) > 0,
            nameof(ReplicaGpus), "must list sizes of 1 to 8 GPUs with weights 0 or more and a positive sum");
        Require(PeakServingShare is > 0 and <= 1, nameof(PeakServingShare), $"is {PeakServingShare}; use a share in (0, 1], such as 0.4");
        Require(TroughShare is >= 0 and <= 1, nameof(TroughShare), $"is {TroughShare}; use a share in [0, 1], such as 0.25");
        Require(StepMinutes is >= 1 and <= 1440, nameof(StepMinutes), $"is {StepMinutes}; use 1 to 1440 minutes");
        Require(TrainingLoad is >= 0 and <= 5, nameof(TrainingLoad), $"is {TrainingLoad}; use a multiple in [0, 5], such as 1.2");
        Require(TrainingMeanHours > 0, nameof(TrainingMeanHours), $"is {TrainingMeanHours}; use a positive number of hours");
        Require(TrainingGpus.Count > 0 && TrainingGpus.All(w => w.Weight >= 0 && (w.Value is >= 1 and <= 8 || (w.Value > 8 && w.Value % 8 == 0))) && TrainingGpus.Sum(w => w.Weight) > 0,
            nameof(TrainingGpus), "must list sizes 1..8 or multiples of 8, with weights 0 or more and a positive sum");
        Require(ServingPriority > 0, nameof(ServingPriority), $"is {ServingPriority}; serving must rank above training's 0, so use 1 or more");
        Require(TrainingMinRuntimeMinutes >= 0, nameof(TrainingMinRuntimeMinutes), $"is {TrainingMinRuntimeMinutes}; use 0 or more minutes");
    }

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"diurnal serving option {option} {problem}", option);
        }
    }
}
