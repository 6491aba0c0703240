namespace Berth.Cli.Tests.Chaos;

/// <summary>
/// One chaos run: how many SIGKILLs, the seed of everything the harness chooses (workloads, their sizes and run times,
/// which moment each kill hits), the cluster, and the lease timings handed to both <c>berth operator</c> replicas.
/// </summary>
public sealed record ChaosOptions
{
    /// <summary>SIGKILLs of a replica (a hand-over kill counts on its own).</summary>
    public int Kills { get; init; } = 100;

    public int Seed { get; init; } = 1;

    /// <summary>Path of the built <c>berth.dll</c> (the Berth.Cli output); run as <c>dotnet berth.dll operator</c>.</summary>
    public required string BerthDll { get; init; }

    /// <summary>Nodes of <see cref="GpusPerNode"/> GPUs. The default 3 x 8 equals the cohort's nominal quota, so nodes, not quota, run out
    /// first, and a finished workload's terminating pods still hold GPUs that its freed quota already lets others ask for.</summary>
    public int Nodes { get; init; } = 3;

    public int GpusPerNode { get; init; } = 8;

    /// <summary>Queues in one cohort, each with <see cref="NominalGpus"/> and <see cref="BorrowingLimitGpus"/>.</summary>
    public int Queues { get; init; } = 3;

    public int NominalGpus { get; init; } = 8;

    public int BorrowingLimitGpus { get; init; } = 4;

    /// <summary>The harness submits while fewer than this many workloads are unfinished.</summary>
    public int InFlight { get; init; } = 8;

    /// <summary><c>--lease-duration</c>: a killed leader's Lease keeps the other waiting this long.</summary>
    public string LeaseDuration { get; init; } = "2s";

    public string RenewDeadline { get; init; } = "1s";

    public string RetryPeriod { get; init; } = "250ms";

    /// <summary>
    /// An admitted gang (PodGroup or Job) must have its minimum bound within this much time with a live leader after the
    /// harness saw it admitted; after each restart the harness also waits (this long at most) until the new leader has
    /// completed every admitted gang before it kills again.
    /// </summary>
    public TimeSpan GangTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After the last kill: how long every submitted workload has to be admitted and finish.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Also make the watches lag: now and then, for 0.5-3 s, the fake server holds back the watch events of the bindings
    /// it accepts (<see cref="Berth.TestKit.Kubernetes.Fake.FakeApiServer.DelayBindingEvents"/>), so a replica that takes
    /// over may plan on a cache that has not seen its predecessor's last bindings; and before half the kills at a
    /// write, for 8 s, so the hand-over and the new leader's first decision happen on such a cache.
    /// </summary>
    public bool WatchLag { get; init; }

    /// <summary>Where each replica's log goes (one file per process); null: a temporary folder, deleted when the run is clean.</summary>
    public string? LogFolder { get; init; }
}
