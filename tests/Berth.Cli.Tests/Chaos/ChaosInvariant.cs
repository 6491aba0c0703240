namespace Berth.Cli.Tests.Chaos;

/// <summary>What the chaos harness checks on the API server's state, continuously and after every restart.</summary>
public enum ChaosInvariant
{
    /// <summary>No pod bound twice, or to two nodes.</summary>
    BoundOnce,

    /// <summary>No GPU given more than 1000 milli-GPU, counting every pod on its node that is not Succeeded or Failed (terminating ones included), and no GPU index the node lacks.</summary>
    GpusNotOvercommitted,

    /// <summary>No queue's admitted GPUs above its nominal quota plus its borrowing limit; no cohort above the sum of its queues' nominal quotas.</summary>
    QuotaRespected,

    /// <summary>No admitted gang (a PodGroup's minMember, a Job's parallelism) with fewer bound pods than its minimum longer than the gang timeout.</summary>
    GangComplete,

    /// <summary>Every submitted workload admitted, and admitted once: its admission record never replaced or lost, a Job never suspended again.</summary>
    AdmittedExactlyOnce,

    /// <summary>A replica took the Lease after each kill (within a minute).</summary>
    LeaderElected,
}
