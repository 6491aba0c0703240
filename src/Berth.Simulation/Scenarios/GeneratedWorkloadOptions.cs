using Berth.Simulation.Generation;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// What <see cref="GeneratedWorkloads"/> builds for one queue: <see cref="Count"/> gang workloads arriving
/// as a Poisson process, with log-normal run times and GPU sizes drawn from <see cref="Gpus"/>.
/// </summary>
public sealed record GeneratedWorkloadOptions
{
    public required string Queue { get; init; }

    public int Count { get; init; } = 100;

    public int Seed { get; init; } = 1;

    /// <summary>Workloads are named <c>{NamePrefix}-00000</c>, ...; null: the queue name.</summary>
    public string? NamePrefix { get; init; }

    /// <summary>The first workload is submitted at this time.</summary>
    public TimeSpan Start { get; init; }

    /// <summary>Mean gap between submissions (exponentially distributed).</summary>
    public TimeSpan MeanInterarrival { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Median run time of the log-normal duration.</summary>
    public TimeSpan DurationMedian { get; init; } = TimeSpan.FromHours(1);

    public double DurationSigma { get; init; } = 1.0;

    /// <summary>Run times are capped at this (null: no cap); every workload runs at least 1 s.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Total GPUs of a workload, by weight.</summary>
    public IReadOnlyList<Weighted<int>> Gpus { get; init; } = [new(1, 50), new(2, 20), new(4, 15), new(8, 10), new(16, 5)];

    /// <summary>A workload with more GPUs is split into pods of this many.</summary>
    public int GpusPerPod { get; init; } = 8;

    public long CpuMilliPerGpu { get; init; } = 8_000;

    public long MemoryMiBPerGpu { get; init; } = 65_536;

    /// <summary>Priority of a workload, by weight.</summary>
    public IReadOnlyList<Weighted<int>> Priorities { get; init; } = [new(0, 1)];

    /// <summary>ExpectedRunTime = duration x this factor, rounded to whole seconds.</summary>
    public double ExpectedRunTimeFactor { get; init; } = 1.0;

    /// <summary>GPU models the pods may run on (empty: any).</summary>
    public IReadOnlyList<string> GpuModels { get; init; } = [];

    /// <summary>Every workload saves its progress this often (null: never checkpoints).</summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>False: the workloads are never evicted by preemption, reclaim or fair share.</summary>
    public bool Preemptible { get; init; } = true;
}
