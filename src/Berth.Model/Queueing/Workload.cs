namespace Berth.Model.Queueing;

/// <summary>
/// The unit of admission: one or more pod sets admitted together (a gang), submitted to a queue.
/// Times are offsets from the start of the run. <see cref="Duration"/> is how long the workload really
/// runs (known to a simulation, never used to decide); <see cref="ExpectedRunTime"/> is what the user
/// declared (Slurm's time limit), which backfill and start-time estimates use.
/// </summary>
public sealed record Workload(string Id)
{
    public required string Queue { get; init; }

    public IReadOnlyList<PodSet> PodSets { get; init; } = [];

    public int Priority { get; init; }

    /// <summary>False: never evicted by preemption, reclaim or fair share (KAI's flag, separate from priority).</summary>
    public bool Preemptible { get; init; } = true;

    public TimeSpan SubmitTime { get; init; }

    public TimeSpan? ExpectedRunTime { get; init; }

    /// <summary>Stopped (failed) when it has run this long.</summary>
    public TimeSpan? MaxRunTime { get; init; }

    /// <summary>The workload saves its progress this often; an eviction loses the work since the last save.</summary>
    public TimeSpan? CheckpointInterval { get; init; }

    /// <summary>
    /// Whether the workload may run on a spot flavor. Null: by default, when it checkpoints or is preemptible
    /// (work that can be stopped at short notice); true or false overrides that rule either way.
    /// </summary>
    public bool? ToleratesSpot { get; init; }

    /// <summary>True when a spot flavor may hold the workload (<see cref="ToleratesSpot"/>, or by default checkpointable or preemptible).</summary>
    public bool MayRunOnSpot => ToleratesSpot ?? (CheckpointInterval is not null || Preemptible);

    /// <summary>
    /// Set on the replicas of one serving workload (a Deployment, StatefulSet or LeaderWorkerSet, or a generated
    /// inference service): each replica is a workload of its own, and every replica with the same group is
    /// spread across nodes, racks and zones for availability rather than packed like training. Null for
    /// training and batch work.
    /// </summary>
    public string? ServingGroup { get; init; }

    /// <summary>True for a replica of a serving workload (<see cref="ServingGroup"/> is set).</summary>
    public bool IsServing => ServingGroup is not null;

    /// <summary>
    /// The datasets the workload reads. Placement prefers nodes that cache them (more cached GB first); a pod on a
    /// node without one must fetch it first. Empty: placement decides exactly as without datasets.
    /// </summary>
    public IReadOnlyList<DatasetRef> Datasets { get; init; } = [];

    /// <summary>
    /// How long admission may hold the workload, from when it started to wait, for nodes that cache every one of its
    /// <see cref="Datasets"/>; after that it places anywhere (still preferring cached data). Null: no wait. Bounded so
    /// that locality never starves a workload.
    /// </summary>
    public TimeSpan? LocalityWait { get; init; }

    /// <summary>Run time with all pods (simulation only). Elastic workloads with fewer pods run longer in proportion.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Time its pods need to become ready once placed (simulation only); null: at once.</summary>
    public TimeSpan? StartupTime { get; init; }

    /// <summary>
    /// How busy its GPUs are while it runs, 0 to 1 (mean SM activity, as DCGM's <c>DCGM_FI_PROF_SM_ACTIVE</c> reports
    /// it): what turns allocated GPU-hours into used ones. Null: not known (counted as fully used). Never used to
    /// decide admission or placement.
    /// </summary>
    public double? GpuActivity { get; init; }

    /// <summary>The total request of the workload with every pod set at its full count.</summary>
    public Resources Request
    {
        get
        {
            var total = Resources.Zero;
            foreach (var set in PodSets)
            {
                total += Resources.Of(set.Template) * set.Count;
            }

            return total;
        }
    }

    public int PodCount => PodSets.Sum(s => s.Count);

    /// <summary>True when some pod set may run with fewer pods than its count.</summary>
    public bool IsElastic => PodSets.Any(s => s.MinCount < s.Count);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            throw new ArgumentException("workload id is empty; give every workload a unique name", nameof(Id));
        }

        if (string.IsNullOrWhiteSpace(Queue))
        {
            throw new ArgumentException($"workload {Id}: queue is empty; name the queue it is submitted to", nameof(Queue));
        }

        if (PodSets.Count == 0)
        {
            throw new ArgumentException($"workload {Id}: has no pod sets; give it at least one (name, count, per-pod request)", nameof(PodSets));
        }

        foreach (var set in PodSets)
        {
            if (set.Count < 1)
            {
                throw new ArgumentException($"workload {Id}: pod set {set.Name} has count {set.Count}; it must be 1 or more", nameof(PodSets));
            }

            if (set.MinCount < 1 || set.MinCount > set.Count)
            {
                throw new ArgumentException($"workload {Id}: pod set {set.Name} has minCount {set.MinCount}; it must be between 1 and its count {set.Count}", nameof(PodSets));
            }

            set.Template.Validate();
        }

        if (PodSets.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != PodSets.Count)
        {
            throw new ArgumentException($"workload {Id}: two pod sets share a name; name each pod set once", nameof(PodSets));
        }

        foreach (var (name, value) in new[] { ("expectedRunTime", ExpectedRunTime), ("maxRunTime", MaxRunTime), ("checkpointInterval", CheckpointInterval), ("duration", Duration), ("startupTime", StartupTime) })
        {
            if (value is { } v && v < TimeSpan.Zero)
            {
                throw new ArgumentException($"workload {Id}: {name} is negative; give a duration of 0 or more such as 30m", name);
            }
        }

        if (CheckpointInterval is { } c && c == TimeSpan.Zero)
        {
            throw new ArgumentException($"workload {Id}: checkpointInterval is 0; leave it out when the workload never checkpoints", nameof(CheckpointInterval));
        }

        if (GpuActivity is { } activity && !(activity >= 0 && activity <= 1))
        {
            throw new ArgumentException($"workload {Id}: gpuActivity is {activity}; give the mean share of time its GPUs are busy, from 0 to 1 (0.45 for 45%)", nameof(GpuActivity));
        }

        if (ServingGroup is { } group && string.IsNullOrWhiteSpace(group))
        {
            throw new ArgumentException($"workload {Id}: servingGroup is blank; name the serving workload its replicas belong to, or leave it out for training", nameof(ServingGroup));
        }

        ValidateDatasets();

        if (SubmitTime < TimeSpan.Zero)
        {
            throw new ArgumentException($"workload {Id}: submit time is negative; times are offsets from the start of the run", nameof(SubmitTime));
        }
    }

    private void ValidateDatasets()
    {
        foreach (var dataset in Datasets)
        {
            if (dataset.Problem() is { } problem)
            {
                throw new ArgumentException($"workload {Id}: {problem}", nameof(Datasets));
            }
        }

        if (Datasets.Select(d => d.Name).Distinct(StringComparer.Ordinal).Count() != Datasets.Count)
        {
            throw new ArgumentException($"workload {Id}: a dataset is named twice; list each dataset once", nameof(Datasets));
        }

        if (LocalityWait is { } wait && wait < TimeSpan.Zero)
        {
            throw new ArgumentException($"workload {Id}: localityWait is negative; give how long it may wait for a node that caches its data, such as 10m, or leave it out", nameof(LocalityWait));
        }

        if (LocalityWait is not null && Datasets.Count == 0)
        {
            throw new ArgumentException($"workload {Id}: localityWait is set but it names no datasets; name its datasets, or leave localityWait out", nameof(LocalityWait));
        }
    }
}
