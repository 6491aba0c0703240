using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// What the admission engine knows of one workload. Read-only to callers; mutated only by
/// <see cref="AdmissionScheduler"/> (the cache) and its statements.
/// </summary>
public sealed class WorkloadState
{
    internal WorkloadState(Workload workload, int queue, long sequence)
    {
        Workload = workload;
        QueueIndex = queue;
        Sequence = sequence;
        Counts = workload.PodSets.Select(s => s.Count).ToArray();
        GpuActivity = workload.GpuActivity;
    }

    public Workload Workload { get; }

    public string Id => Workload.Id;

    public int QueueIndex { get; }

    /// <summary>Submission order, the last tie-break.</summary>
    internal long Sequence { get; }

    public WorkloadPhase Phase { get; internal set; }

    public PendingReason Reason { get; internal set; } = PendingReason.Queued;

    /// <summary>Flavor index while admitted (or -1).</summary>
    public int Flavor { get; internal set; } = -1;

    /// <summary>Pods per pod set while admitted (elastic workloads may run with fewer than their count).</summary>
    public int[] Counts { get; internal set; }

    /// <summary>Quota held while admitted.</summary>
    public Resources Usage { get; internal set; }

    public TimeSpan AdmittedAt { get; internal set; }

    /// <summary>Its slot in its flavor's <see cref="AdmittedList"/> while admitted (-1 otherwise).</summary>
    internal int AdmittedSlot { get; set; } = -1;

    /// <summary>Its place in the last build of a victim list (<see cref="EvictionCandidates.Sort"/>): the next build starts from that order.</summary>
    internal (EvictionCandidates? List, long Build, int Rank) VictimRank { get; set; }

    public TimeSpan? ExpectedStart { get; internal set; }

    /// <summary>Times it was evicted because its gang did not become ready.</summary>
    public int NotReadyEvictions { get; internal set; }

    public int Evictions { get; internal set; }

    /// <summary>Not tried again before this time (backoff after a gang timeout).</summary>
    public TimeSpan BackoffUntil { get; internal set; }

    internal List<PodPlacement> Placements { get; } = [];

    /// <summary>How busy its GPUs are, 0 to 1: what the driver last observed, else what the workload states; null: not known (never idle).</summary>
    public double? GpuActivity { get; internal set; }

    /// <summary>The admission (start time, evictions before it) for which an Idle event was emitted.</summary>
    internal (TimeSpan AdmittedAt, int Evictions)? IdleReported { get; set; }

    /// <summary>Waiting since (submitted, or last requeued): starvation is measured from here.</summary>
    public TimeSpan PendingSince { get; internal set; }

    internal Model.Pod[][]? FlavorPods { get; set; }

    internal bool?[]? EverFits { get; set; }

    public IReadOnlyList<PodPlacement> Pods => Placements;

    /// <summary>The admission generation in which it last failed to be admitted (-1: not since it changed).</summary>
    internal long TriedGeneration { get; set; } = -1;

    /// <summary>The request with every pod set at its full count, once computed.</summary>
    internal Resources? FullRequest { get; set; }

    /// <summary>
    /// The reason of its last trial when that trial failed on quota alone in every flavor (no placement tried), and
    /// the quota tree's version then (<see cref="QuotaTree.Version"/>): while the version is the same, a trial would
    /// fail again with this very reason, so the cycle reuses it instead of trying. Null: nothing to reuse.
    /// </summary>
    internal PendingReason? QuotaFailure { get; set; }

    /// <summary>The quota tree's version when <see cref="QuotaFailure"/> was found.</summary>
    internal long QuotaFailureVersion { get; set; }

    /// <summary>What the skip of larger failures compares (<see cref="Shape"/>), for the counts in <see cref="ShapeCounts"/>.</summary>
    internal WorkloadShape CachedShape { get; set; }

    /// <summary>The <see cref="Counts"/> array <see cref="CachedShape"/> was computed from; another array means recompute.</summary>
    internal int[]? ShapeCounts { get; set; }

    /// <summary>Index of <see cref="CachedShape"/> in its queue's table of shapes, or -1 when not yet entered.</summary>
    internal int QueueShapeId { get; set; } = -1;

    /// <summary>GPU milli of its placed pods.</summary>
    public long GpuMilli => Placements.Sum(p => p.Pod.GpuDemandMilli);

    /// <summary>Pods placed now: all of them while admitted; with <c>kube-default</c> also those of a partly placed gang.</summary>
    public int PlacedPods => Placements.Count;

    public int PodCount => Counts.Sum();

    /// <summary>Work lost if evicted at <paramref name="now"/>: time since the last checkpoint (or since start), in seconds.</summary>
    public double LostSeconds(TimeSpan now)
    {
        if (Phase != WorkloadPhase.Admitted)
        {
            return 0;
        }

        var ran = now - AdmittedAt;
        if (Workload.CheckpointInterval is { } interval && interval > TimeSpan.Zero)
        {
            return ran.TotalSeconds % interval.TotalSeconds;
        }

        return ran.TotalSeconds;
    }

    /// <summary>What <paramref name="counts"/> pods per pod set request in total (the quota it is charged when admitted so).</summary>
    internal Resources RequestOf(int[] counts)
    {
        var total = Resources.Zero;
        var sets = Workload.PodSets;
        for (var s = 0; s < sets.Count; s++)
        {
            total += Resources.Of(sets[s].Template) * counts[s];
        }

        return total;
    }

    /// <summary>
    /// The pods for flavor <paramref name="f"/> of <paramref name="flavors"/>: named, with the flavor's tolerations
    /// added; built once per flavor, since placement trials ask for them again and again.
    /// </summary>
    internal Model.Pod[] PodsFor(int f, Flavor[] flavors)
    {
        FlavorPods ??= new Model.Pod[flavors.Length][];
        return FlavorPods[f] ??= Workload.PodSets.Select(s => s.Template with
        {
            Name = $"{Id}/{s.Name}",
            Priority = Workload.Priority,
            Tolerations = flavors[f].Tolerations.Count == 0 ? s.Template.Tolerations : [.. s.Template.Tolerations, .. flavors[f].Tolerations],
        }).ToArray();
    }
}
