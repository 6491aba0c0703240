namespace Berth.Cli.Tests.Chaos;

/// <summary>One Job or PodGroup the harness submitted, and what it has seen of it. Mutated by the harness loop only.</summary>
internal sealed class ChaosWorkload
{
    public required string Name { get; init; }

    public required bool IsJob { get; init; }

    /// <summary>A lone pod with a queue label: no Job or PodGroup holds an admission record for it; its binding is its admission.</summary>
    public bool IsPod { get; init; }

    public required string Queue { get; init; }

    /// <summary>Pods it has (a Job's parallelism, a PodGroup's members).</summary>
    public required int Pods { get; init; }

    /// <summary>Fewest pods that must run together (a PodGroup's minMember; a Job's parallelism).</summary>
    public required int MinMember { get; init; }

    public required int GpusPerPod { get; init; }

    /// <summary>Milli-GPU per GPU: 1000, or a share (500) for single-GPU pods.</summary>
    public required int Milli { get; init; }

    public required TimeSpan RunTime { get; init; }

    public ChaosStage Stage { get; set; }

    /// <summary>The admittedAt of the first admission record seen; a different one later is a second admission.</summary>
    public DateTimeOffset? AdmittedAt { get; set; }

    /// <summary>When the harness first saw it admitted (the gang timeout counts from here).</summary>
    public DateTimeOffset? AdmittedSeen { get; set; }

    /// <summary>The run's led time (<see cref="ChaosSnapshot.Led"/>) when it was first seen admitted.</summary>
    public TimeSpan AdmittedLed { get; set; }

    public DateTimeOffset? RunningSince { get; set; }

    public DateTimeOffset? FinishingSince { get; set; }

    /// <summary>A Job's pods have been created (the harness plays the Job controller).</summary>
    public bool PodsCreated { get; set; }

    /// <summary>An invariant about this workload was already reported (each is reported once).</summary>
    public bool Reported { get; set; }

    public string Key => (IsJob ? "job/" : IsPod ? "pod/" : "podgroup/") + Name;

    public string PodName(int i) => IsPod ? Name : $"{Name}-{i}";
}
