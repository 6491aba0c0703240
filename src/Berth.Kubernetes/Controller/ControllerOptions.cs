using Berth.Engine.Admission;

namespace Berth.Kubernetes.Controller;

/// <summary>How the controller decides: the admission profile, a queue for pods that name none, and how often it looks again with nothing changed.</summary>
public sealed record ControllerOptions
{
    /// <summary>An admission profile name (see <see cref="AdmissionProfiles.Names"/>); <c>kube-default</c> is not allowed here.</summary>
    public string Profile { get; init; } = "fair-share+backfill+preemption";

    /// <summary>Queue for pods and groups with <c>schedulerName: berth</c> that carry no queue label; null: they wait with reason QueueMissing.</summary>
    public string? DefaultQueue { get; init; }

    /// <summary>
    /// The PriorityClass serving replicas (pods of a queued Deployment or StatefulSet, groups of a queued LeaderWorkerSet)
    /// take when their template names none; null or empty: they keep their pods' own priority.
    /// </summary>
    public string? ServingPriorityClass { get; init; } = Translation.ServingWorkloads.DefaultPriorityClass;

    /// <summary>A cycle runs at least this often even when nothing changed (minimum runtimes pass, heads start to starve).</summary>
    public TimeSpan Resync { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Placement policy under the profile (null: the profile's).</summary>
    public string? PlacementPolicy { get; init; }

    public int Seed { get; init; } = 42;

    /// <summary>How long a cycle waits for the cache to show its own writes before the next one (which then lays them over the cache).</summary>
    public TimeSpan ObserveTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Checks and signs admission records. Null: the controller reads the key from the Secret
    /// <see cref="AdmissionRecordSeal.SecretName"/> in <see cref="Namespace"/> (creating it with a random key the
    /// first time). A pure planner call without one reads records unverified and writes them unsigned.
    /// </summary>
    public AdmissionRecordSeal? RecordSeal { get; init; }

    /// <summary>Berth's own namespace: where the admission-record key lives.</summary>
    public string Namespace { get; init; } = "berth-system";

    /// <summary>
    /// Off when null (the default, as Kueue's waitForPodsReady): a Job or PodGroup whose admitted pods are not all
    /// ready this long after admission is requeued with exponential backoff (the profile's backoff base, doubling),
    /// and fails after the backoff limit.
    /// </summary>
    public TimeSpan? PodsReadyTimeout { get; init; }

    /// <summary>First backoff after a pods-ready timeout (doubling each time); null: the profile's (1 minute).</summary>
    public TimeSpan? BackoffBase { get; init; }

    /// <summary>How often the leader writes its showback totals to the ConfigMap <c>berth-usage</c>: the most a crash loses (default 1 minute; zero: every decision).</summary>
    public TimeSpan UsageFlushInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Showback days older than this are dropped from the ConfigMap (default 400 days, the longest report period).</summary>
    public TimeSpan UsageRetention { get; init; } = TimeSpan.FromDays(400);

    /// <summary>Admission options the profile and these settings give.</summary>
    public AdmissionOptions ToAdmissionOptions()
    {
        if (!AdmissionProfiles.IsKnown(Profile) || Profile == "kube-default")
        {
            throw new ArgumentException($"profile '{Profile}' is not one Berth can run on a cluster; use one of: {string.Join(", ", AdmissionProfiles.Names.Where(n => n != "kube-default"))}", nameof(Profile));
        }

        if (PodsReadyTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the pods-ready timeout is {timeout}; give a positive duration such as 10m, or none to turn it off", nameof(PodsReadyTimeout));
        }

        var options = AdmissionProfiles.Apply(Profile, new AdmissionOptions { Seed = Seed, GangReadyTimeout = PodsReadyTimeout ?? new AdmissionOptions().GangReadyTimeout, BackoffBase = BackoffBase ?? new AdmissionOptions().BackoffBase });
        return PlacementPolicy is null ? options : options with { PlacementPolicy = PlacementPolicy };
    }
}
