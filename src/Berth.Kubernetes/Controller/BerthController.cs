using System.Diagnostics;
using Berth.Kubernetes.Cache;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Telemetry;
using Berth.Runtime.Yield;
using k8s;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Berth on a cluster: the cache follows the API server; while this replica leads, every change (or the
/// resync interval) runs one decision: snapshot, plan, execute, then wait until the cache has seen its own
/// writes so the next decision never works from a view older than what it did (no double booking).
/// </summary>
public sealed class BerthController
{
    private static readonly TimeSpan ObserveStep = TimeSpan.FromMilliseconds(5);
    private readonly IKubernetes _client;
    private ControllerOptions _options;
    private readonly MetricsRegistry _metrics;
    private readonly TimeProvider _time;
    private readonly GpuSecondsMeter _gpuSeconds = new();
    private readonly GpuSecondsMeter _perGpuSeconds = new();
    private readonly ILogger _logger;
    private readonly PlanExecutor _executor;
    private readonly Provisioning.ProvisioningController _provisioning;
    private volatile bool _leader;
    private volatile bool _takingOver;
    private HashSet<string> _idle = new(StringComparer.Ordinal);

    /// <param name="telemetry">GPU activity per pod (Prometheus), refreshed in the background while the controller runs; null: activity unknown, nothing is ever idle.</param>
    public BerthController(IKubernetes client, ControllerOptions options, MetricsRegistry metrics, TimeProvider time, ILoggerFactory loggers, GpuTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        options.ToAdmissionOptions(); // validates the profile before anything starts
        _client = client;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = loggers.CreateLogger("Berth.Controller");
        Cache = new ClusterCache(client, time, loggers);
        Writer = new ClusterWriter(client, time, loggers.CreateLogger("Berth.Writer"));
        Backoff = new ActionBackoff(time);
        Telemetry = telemetry;
        Usage = new Usage.UsageAccounting(client, options.Namespace, time, loggers.CreateLogger("Berth.Usage"), options.UsageFlushInterval, options.UsageRetention);
        _executor = new PlanExecutor(Writer, Backoff, _logger, key => Cache.PodGroups.Get(key)?.Status?.Conditions);
        _provisioning = new Provisioning.ProvisioningController(client, Writer, options.Namespace, loggers.CreateLogger("Berth.Provisioning"));
    }

    public ClusterCache Cache { get; }

    /// <summary>Showback: GPU-seconds per day, queue, namespace, user and GPU model, counted while this replica leads and kept in a ConfigMap.</summary>
    public Usage.UsageAccounting Usage { get; }

    /// <summary>The GPU activity each decision reads (null: none configured).</summary>
    public GpuTelemetry? Telemetry { get; }

    public ClusterWriter Writer { get; }

    /// <summary>Objects whose writes failed and wait before Berth tries them again (per object; the rest of each plan runs).</summary>
    public ActionBackoff Backoff { get; }

    /// <summary>Bindings and Jobs written that the cache has not shown yet, laid over each snapshot.</summary>
    public WrittenState Written { get; } = new();

    /// <summary>What the last execution did (for tests).</summary>
    public ExecutionResult? LastResult { get; private set; }

    /// <summary>True while this replica may write. Set by leader election; a controller without election leads from the start.</summary>
    public bool IsLeader
    {
        get => _leader;
        set
        {
            if (value && !_leader)
            {
                _takingOver = true;
            }

            _leader = value;
            _metrics.Set("berth_leader", value ? 1 : 0);
            if (!value)
            {
                Written.Clear(); // whoever leads next starts from what the API server lists
                Usage.Forget(); // and counts usage from its own first decision on
            }

            if (value)
            {
                Cache.Changed.Raise();
            }
        }
    }

    /// <summary>Decisions made so far.</summary>
    public int Cycles { get; private set; }

    /// <summary>Pods this replica bound.</summary>
    public int PodsBound { get; private set; }

    /// <summary>The last plan (for status pages and tests).</summary>
    public DecisionPlan? LastPlan { get; private set; }

    /// <summary>The last decision's snapshot and plan together (for read-only views); null before the first.</summary>
    public Decision? LastDecision { get; private set; }

    /// <summary>
    /// Raised after every decision with its snapshot and plan, on the decision loop (the dashboard's timeline samples
    /// it), and after each reading a standby makes for the views (<see cref="Current"/>). Handlers must be quick and
    /// must not throw: a slow handler delays the next decision.
    /// </summary>
    public event Action<Decision>? Decided;

    /// <summary>
    /// The decision read-only views show: the last one while this replica leads; on a standby, a plan of its own cache
    /// made for reading only (nothing is written), made again when older than <paramref name="maxAge"/>, so every
    /// replica behind a Service answers. Null before the cache has synced (or before a leader's first decision).
    /// </summary>
    public Decision? Current(TimeSpan maxAge)
    {
        if (IsLeader)
        {
            return LastDecision;
        }

        if (!Ready)
        {
            return null;
        }

        var reading = _reading;
        if (reading is null || _time.GetUtcNow() - reading.Snapshot.Now >= maxAge)
        {
            var snapshot = WithTelemetry(Cache.Snapshot());
            reading = new Decision(snapshot, DecisionPlanner.Plan(snapshot, _options));
            _reading = reading;
            Decided?.Invoke(reading);
        }

        return reading;
    }

    private volatile Decision? _reading;

    /// <summary>True once the cache has listed everything once (what <c>/readyz</c> reports).</summary>
    public bool Ready => Cache.Synced.IsCompletedSuccessfully;

    /// <summary>Follows the cluster and decides while leading, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var informers = Cache.RunAsync(cancellationToken);
        var telemetry = Telemetry?.RunAsync(cancellationToken) ?? Task.CompletedTask;
        try
        {
            await Cache.Synced.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_options.RecordSeal is null)
            {
                _options = _options with { RecordSeal = await AdmissionKeyStore.LoadOrCreateAsync(_client, _options.Namespace, cancellationToken).ConfigureAwait(false) };
            }

            _logger.LogInformation("cache synced: {Nodes} nodes, {Pods} pods, {Jobs} jobs, {Queues} queues", Cache.Nodes.Count, Cache.Pods.Count, Cache.Jobs.Count, Cache.Queues.Count);
            while (!cancellationToken.IsCancellationRequested)
            {
                // Wake at the resync, or sooner when a write held back by its backoff may be tried again.
                var wait = _options.Resync;
                if (Backoff.NextRetry() is { } retry)
                {
                    var untilRetry = retry - _time.GetUtcNow();
                    wait = untilRetry < wait ? (untilRetry > TimeSpan.Zero ? untilRetry : TimeSpan.Zero) : wait;
                }

                await Cache.Changed.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                if (!IsLeader)
                {
                    continue;
                }

                try
                {
                    await RunCycleAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogError(e, "decision cycle failed; trying again on the next change");
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                    Cache.Changed.Raise();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }

        await informers.ConfigureAwait(false);
        await telemetry.ConfigureAwait(false);
    }

    /// <summary>The snapshot with the latest telemetry laid over it (unchanged without telemetry).</summary>
    private ClusterSnapshot WithTelemetry(ClusterSnapshot snapshot) => Telemetry is null ? snapshot : snapshot with
    {
        GpuActivity = Telemetry.ActivityByPod(),
        GpuActivityByGpu = Telemetry.ActivityByGpu(),
        TelemetryUnhealthyGpus = Telemetry.UnhealthyGpus,
        TelemetryHealthKnown = Telemetry.HealthKnown,
    };

    /// <summary>One decision: snapshot, plan, execute, wait until the cache reflects the writes.</summary>
    public async Task<DecisionPlan> RunCycleAsync(CancellationToken cancellationToken)
    {
        if (_options.RecordSeal?.Verifies != true)
        {
            throw new InvalidOperationException($"the controller has no admission-record key: give ControllerOptions.RecordSeal, or run the controller (it reads Secret {_options.Namespace}/{AdmissionRecordSeal.SecretName})");
        }

        if (_takingOver)
        {
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            _takingOver = false;
        }

        var started = Stopwatch.GetTimestamp();
        var snapshot = WithTelemetry(Written.Apply(Cache.Snapshot()));

        var plan = DecisionPlanner.Plan(snapshot, _options);
        if (Telemetry is not null)
        {
            HealthEvents(plan, Telemetry.TakeHealthChanges());
        }

        _logger.LogDebug("cycle {Cycle}: planned {Writes} writes ({Bindings} bindings) over {Pods} pods in {Elapsed} ms", Cycles + 1, plan.WriteCount, plan.Bindings.Count, snapshot.Pods.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        QuietIdleEvents(plan);
        var result = await _executor.ExecuteAsync(plan, () => IsLeader, cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("cycle {Cycle}: executed, {Bound} bound, at {Elapsed} ms", Cycles + 1, result.Bound.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Remember(snapshot, plan, result);
        Cycles++;
        PodsBound += result.Bound.Count;
        LastPlan = plan;
        LastResult = result;
        var decision = new Decision(snapshot, plan);
        LastDecision = decision;
        Decided?.Invoke(decision);
        Record(plan, result, Stopwatch.GetElapsedTime(started));
        await Usage.ObserveAsync(RecordGpus(snapshot, plan), cancellationToken).ConfigureAwait(false);
        await ProvisionAsync(snapshot, plan, cancellationToken).ConfigureAwait(false);
        await ObserveAsync(result, cancellationToken).ConfigureAwait(false);
        if (plan.WriteCount > 0)
        {
            _logger.LogInformation("cycle {Cycle}: {Bound} pods bound, {Admitted} jobs admitted, {Suspended} suspended, {Evicted} pods evicted, {Writes} writes",
                Cycles, result.Bound.Count, plan.JobAdmissions.Count, plan.Suspensions.Count, plan.Evictions.Count, plan.WriteCount);
        }

        return plan;
    }

    /// <summary>The provisioning admission check after the decision; its failures are logged and tried again next cycle, never stopping one.</summary>
    private async Task ProvisionAsync(ClusterSnapshot snapshot, DecisionPlan plan, CancellationToken cancellationToken)
    {
        if (!IsLeader)
        {
            return;
        }

        try
        {
            await _provisioning.RunAsync(snapshot, plan, cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            _logger.LogWarning("provisioning check: {Status} from the API server ({Message}); tried again next cycle (is the ProvisioningRequest CRD installed?)", e.Response.StatusCode, e.Message);
        }
    }

    /// <summary>
    /// Before its first decision as leader: lists the bound pods and the Jobs from the API server and lays over the
    /// snapshot (<see cref="WrittenState"/>) whatever the cache has not shown yet. A replica that takes over knows its
    /// predecessor's last writes only from its own watch; where that lags, it would see a pod the predecessor just bound
    /// as pending and its GPUs as free. Admission records protect Jobs and PodGroups (their pods go where the record
    /// says), but a lone pod has no record: the chaos harness's reasoning found a new leader giving its GPU to a more
    /// urgent pod (<c>StaleCacheTests</c>). Lists read the current state, as the API server's consistent reads do.
    /// Skipped when the pod and Job caches have already seen the current resource version (one list of one pod tells).
    /// </summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        // One cheap consistent read first: when the cache has already seen the API server's current resource version
        // (a replica that has just listed everything, a quiet cluster), there is nothing to catch up.
        var now = await _client.CoreV1.ListPodForAllNamespacesAsync(limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (long.TryParse(now.Metadata?.ResourceVersion, out var current) && long.TryParse(Cache.Pods.ResourceVersion, out var seen) && seen >= current
            && long.TryParse(Cache.Jobs.ResourceVersion, out var seenJobs) && seenJobs >= current)
        {
            return;
        }

        var pods = KubernetesSources.Pods(_client);
        string? token = null;
        var laid = 0;
        do
        {
            var page = await pods.List(token, cancellationToken).ConfigureAwait(false);
            foreach (var pod in page.Items.Where(p => !string.IsNullOrEmpty(p.Spec?.NodeName)))
            {
                var cached = Cache.Pods.Get(pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name);
                if (cached is not null && (cached.Metadata.Uid != pod.Metadata.Uid || !string.IsNullOrEmpty(cached.Spec?.NodeName)))
                {
                    continue;
                }

                var annotations = (pod.Metadata.Annotations ?? new Dictionary<string, string>())
                    .Where(a => a.Key is KubernetesNames.GpuIndicesAnnotation or KubernetesNames.GpuMilliAnnotation or KubernetesNames.MigInstancesAnnotation)
                    .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
                Written.Bound(pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Metadata.Uid, pod.Spec!.NodeName, annotations);
                laid++;
            }

            token = page.Continue;
        }
        while (!string.IsNullOrEmpty(token));

        var jobs = KubernetesSources.Jobs(_client);
        token = null;
        do
        {
            var page = await jobs.List(token, cancellationToken).ConfigureAwait(false);
            foreach (var job in page.Items)
            {
                var cached = Cache.Jobs.Get(job.Metadata.NamespaceProperty + "/" + job.Metadata.Name);
                if (cached is not null && long.TryParse(cached.Metadata.ResourceVersion, out var have) && long.TryParse(job.Metadata.ResourceVersion, out var want) && have < want)
                {
                    Written.Written(job);
                    laid++;
                }
            }

            token = page.Continue;
        }
        while (!string.IsNullOrEmpty(token));

        if (laid > 0)
        {
            _logger.LogInformation("taking over: {Count} writes of the previous leader not in the cache yet, laid over it until the watch shows them", laid);
        }
    }

    /// <summary>
    /// Waits (briefly) until the cache shows the pods bound and the Jobs, PodGroup records and framework objects written, so the next plan
    /// usually starts from them. Correctness does not depend on it: what the cache has not shown yet is laid over the next
    /// snapshot (<see cref="WrittenState"/>). The wait is counted in steps of the injected clock's timers, so a test clock
    /// that never moves still ends it.
    /// </summary>
    private async Task ObserveAsync(ExecutionResult result, CancellationToken cancellationToken)
    {
        for (var waited = TimeSpan.Zero; waited < _options.ObserveTimeout; waited += ObserveStep)
        {
            var pending = result.Bound.Any(key => Cache.Pods.Get(key) is { } pod && string.IsNullOrEmpty(pod.Spec?.NodeName))
                || result.JobsWritten.Any(job => Cache.Jobs.Get(job.Metadata.NamespaceProperty + "/" + job.Metadata.Name) is { } seen
                    && long.TryParse(seen.Metadata.ResourceVersion, out var have) && long.TryParse(job.Metadata.ResourceVersion, out var want) && have < want)
                || result.GroupsWritten.Any(group => Cache.PodGroups.Get(group.Key) is { } seen
                    && long.TryParse(seen.Metadata.ResourceVersion, out var have) && long.TryParse(group.ResourceVersion, out var want) && have < want)
                || result.FrameworksWritten.Any(w => Cache.Frameworks.FirstOrDefault(f => f.Kind == w.Kind)?.Get(w.Key) is { } seen
                    && long.TryParse(seen.Metadata.ResourceVersion, out var have) && long.TryParse(w.ResourceVersion, out var want) && have < want);
            if (!pending)
            {
                return;
            }

            await Task.Delay(ObserveStep, _time, cancellationToken).ConfigureAwait(false);
        }

        _logger.LogWarning("the cache did not show this cycle's writes within {Timeout}; deciding from the newest view with the writes laid over it", _options.ObserveTimeout);
    }

    /// <summary>
    /// An Event on the node for each GPU that telemetry marked unhealthy (<c>GpuUnhealthy</c>, Warning) or found clean
    /// again (<c>GpuHealthy</c>): Berth's own mark, apart from an admin's cordon or annotation, which it never touches.
    /// </summary>
    private static void HealthEvents(DecisionPlan plan, IReadOnlyList<Runtime.Health.GpuHealthChange> changes)
    {
        foreach (var change in changes)
        {
            var slash = change.Gpu.LastIndexOf('/');
            var node = new k8s.Models.V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = change.Gpu[..slash] };
            var gpu = change.Gpu[(slash + 1)..];
            plan.Events.Add(change.Healthy
                ? new EventAction(node, "Normal", KubernetesNames.GpuHealthyReason, $"GPU {gpu}: {change.Message}")
                : new EventAction(node, "Warning", KubernetesNames.GpuUnhealthyReason, $"GPU {gpu} unhealthy ({change.Message}); its capacity is withheld and what runs on it is requeued; checked again at every reading"));
        }
    }

    /// <summary>
    /// Each decision finds an idle workload idle again (the engine starts fresh every cycle); its <c>IdleGpu</c> event
    /// is written when it turns idle, not every resync. A workload that got busy and idles again is reported again;
    /// after a restart or a change of leader, once more.
    /// </summary>
    private void QuietIdleEvents(DecisionPlan plan)
    {
        var idle = new HashSet<string>(StringComparer.Ordinal);
        plan.Events.RemoveAll(e =>
        {
            if (e.Reason != Engine.Admission.IdleGpus.IdleReason)
            {
                return false;
            }

            var key = $"{e.About.NamespaceProperty}/{e.About.Name}/{e.About.Uid}";
            idle.Add(key);
            return _idle.Contains(key);
        });
        _idle = idle;
    }

    /// <summary>Remembers the bindings and Jobs this cycle wrote until the cache shows them.</summary>
    private void Remember(ClusterSnapshot snapshot, DecisionPlan plan, ExecutionResult result)
    {
        if (result.Bound.Count > 0)
        {
            var bound = result.Bound.ToHashSet(StringComparer.Ordinal);
            var uids = snapshot.Pods.Where(p => bound.Contains(p.Metadata.NamespaceProperty + "/" + p.Metadata.Name))
                .ToDictionary(p => p.Metadata.NamespaceProperty + "/" + p.Metadata.Name, p => p.Metadata.Uid, StringComparer.Ordinal);
            foreach (var b in plan.Bindings.Where(b => bound.Contains(b.Namespace + "/" + b.Pod)))
            {
                Written.Bound(b.Namespace, b.Pod, uids.GetValueOrDefault(b.Namespace + "/" + b.Pod), b.Node, b.Annotations);
            }
        }

        foreach (var job in result.JobsWritten)
        {
            Written.Written(job);
        }
    }

    /// <summary>
    /// The per-GPU figures: <c>berth_gpu_activity</c> for each allocated GPU with a fresh sample (the family is replaced
    /// whole, so a released GPU's series goes at once and there is at most one series per held GPU and workload), and
    /// per-GPU GPU-seconds counters (bounded by the fleet's GPUs).
    /// </summary>
    /// <returns>Each held GPU with its activity (the GPU's own, else its workload's; null: unknown), for showback.</returns>
    private List<(HeldGpu Gpu, double? Activity)> RecordGpus(ClusterSnapshot snapshot, DecisionPlan plan)
    {
        var withActivity = new List<(HeldGpu Gpu, double? Activity)>(plan.HeldGpus.Count);
        var byGpu = snapshot.GpuActivityByGpu;
        _metrics.Replace("berth_gpu_activity", plan.HeldGpus
            .Where(h => byGpu.ContainsKey(GpuKey(h.Node, h.Gpu)))
            .Select(h => (byGpu[GpuKey(h.Node, h.Gpu)], new[] { ("node", h.Node), ("gpu", h.Gpu.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("queue", h.Queue), ("job", h.Job) }))
            .DistinctBy(s => string.Join('\n', s.Item2.Select(l => l.Item2)), StringComparer.Ordinal));
        var held = new Dictionary<string, GpuUse>(StringComparer.Ordinal);
        foreach (var h in plan.HeldGpus)
        {
            var key = GpuKey(h.Node, h.Gpu);
            var activity = byGpu.TryGetValue(key, out var a) ? a : h.Activity;
            withActivity.Add((h, activity));
            held[key] = held.GetValueOrDefault(key) + new GpuUse(h.Share, h.Share * (activity ?? 0), activity is { } known ? h.Share * (1 - known) : 0);
        }

        foreach (var (gpu, seconds) in _perGpuSeconds.Advance(_time.GetUtcNow(), held))
        {
            var slash = gpu.LastIndexOf('/');
            _metrics.Increment("berth_gpu_seconds_allocated_total", seconds.Allocated, ("node", gpu[..slash]), ("gpu", gpu[(slash + 1)..]));
            _metrics.Increment("berth_gpu_seconds_used_total", seconds.Used, ("node", gpu[..slash]), ("gpu", gpu[(slash + 1)..]));
        }

        return withActivity;
    }

    private static string GpuKey(string node, int gpu) => node + "/" + gpu.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Record(DecisionPlan plan, ExecutionResult result, TimeSpan latency)
    {
        _metrics.Observe("berth_decision_latency_seconds", latency.TotalSeconds);
        _metrics.Replace("berth_pending_workloads", plan.Pending.Select(p => ((double)p.Value, new[] { ("queue", p.Key.Queue), ("reason", p.Key.Reason) })));
        _metrics.Replace("berth_admitted_workloads", plan.Admitted.Select(p => ((double)p.Value, new[] { ("queue", p.Key) })));
        _metrics.Replace("berth_idle_workloads", plan.Idle.Select(p => ((double)p.Value, new[] { ("queue", p.Key) })));
        _metrics.Replace("berth_quota_usage", plan.Quota.Select(q => (q.Used, new[] { ("queue", q.Queue), ("flavor", q.Flavor), ("resource", q.Resource) })));
        _metrics.Replace("berth_quota_nominal", plan.Quota.Select(q => (q.Nominal, new[] { ("queue", q.Queue), ("flavor", q.Flavor), ("resource", q.Resource) })));
        _metrics.Set("berth_gpu_allocation_ratio", plan.GpuAllocationRatio);
        _metrics.Set("berth_gpu_fragmentation_ratio", plan.GpuFragmentationRatio);
        _metrics.Set("berth_unhealthy_gpus", plan.UnhealthyGpus);
        _metrics.Replace("berth_queue_gpus_allocated", plan.Yield.Select(y => (y.Value.Allocated, new[] { ("queue", y.Key) })));
        _metrics.Replace("berth_queue_gpus_used", plan.Yield.Select(y => (y.Value.Used, new[] { ("queue", y.Key) })));
        _metrics.Replace("berth_queue_gpus_idle_allocated", plan.Yield.Select(y => (y.Value.IdleAllocated, new[] { ("queue", y.Key) })));
        _metrics.Set("berth_gpu_yield_ratio", plan.GpuCapacity > 0 ? plan.Yield.Values.Sum(y => y.Used) / plan.GpuCapacity : 0);
        _metrics.Set("berth_gpus_used", plan.Yield.Values.Sum(y => y.Used));
        _metrics.Set("berth_gpus_idle_allocated", plan.Yield.Values.Sum(y => y.IdleAllocated));
        var byQueue = plan.Yield.ToDictionary(y => y.Key, y => new GpuUse(y.Value.Allocated, y.Value.Used, y.Value.IdleAllocated), StringComparer.Ordinal);
        var byCohort = plan.Cohorts.Values.Distinct(StringComparer.Ordinal).Select(c => (Cohort: c, Use: byQueue.Where(q => plan.Cohorts.GetValueOrDefault(q.Key) == c).Aggregate(default(GpuUse), (a, q) => a + q.Value))).ToArray();
        _metrics.Replace("berth_cohort_gpus_allocated", byCohort.Select(c => (c.Use.Allocated, new[] { ("cohort", c.Cohort) })));
        _metrics.Replace("berth_cohort_gpus_used", byCohort.Select(c => (c.Use.Used, new[] { ("cohort", c.Cohort) })));
        _metrics.Replace("berth_cohort_gpus_idle_allocated", byCohort.Select(c => (c.Use.IdleAllocated, new[] { ("cohort", c.Cohort) })));
        foreach (var (queue, seconds) in _gpuSeconds.Advance(_time.GetUtcNow(), byQueue))
        {
            _metrics.Increment("berth_queue_gpu_seconds_allocated_total", seconds.Allocated, ("queue", queue));
            _metrics.Increment("berth_queue_gpu_seconds_used_total", seconds.Used, ("queue", queue));
            _metrics.Increment("berth_queue_gpu_seconds_idle_allocated_total", seconds.IdleAllocated, ("queue", queue));
        }

        _metrics.Increment("berth_pods_bound_total", result.Bound.Count);
        foreach (var reason in plan.EvictionReasons)
        {
            _metrics.Increment("berth_evictions_total", 1, ("reason", reason));
        }

        _metrics.Increment("berth_admissions_total", plan.AdmissionWaits.Count);

        foreach (var wait in plan.AdmissionWaits)
        {
            _metrics.Observe("berth_admission_wait_seconds", wait);
        }
    }
}
