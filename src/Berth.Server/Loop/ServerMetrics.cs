using Berth.Model.Queueing;
using Berth.Runtime.Plan;
using Berth.Runtime.Yield;
using Berth.Server.Jobs;
using Prometheus;

namespace Berth.Server.Loop;

/// <summary>
/// The server's Prometheus metrics, through prometheus-net in a registry of its own (several servers in one test
/// process never share one). Served at <c>/metrics</c>.
/// </summary>
public sealed class ServerMetrics
{
    private readonly Gauge _jobs;
    private readonly Gauge _quotaUsed;
    private readonly Gauge _quotaNominal;
    private readonly Gauge _allocation;
    private readonly Gauge _fragmentation;
    private readonly Histogram _cycle;
    private readonly Gauge _allocatedGpus;
    private readonly Gauge _usedGpus;
    private readonly Gauge _unhealthyGpus;
    private readonly Gauge _telemetryAge;
    private readonly Gauge _idleGpus;
    private readonly Gauge _cohortAllocated;
    private readonly Gauge _cohortUsed;
    private readonly Gauge _cohortIdle;
    private readonly Gauge _yield;
    private readonly Gauge _clusterUsed;
    private readonly Gauge _clusterIdle;
    private readonly Counter _secondsAllocated;
    private readonly Counter _secondsUsed;
    private readonly Counter _secondsIdle;
    private readonly GpuSecondsMeter _meter = new();
    private readonly Gauge _gpuActivity;
    private readonly Counter _gpuSecondsAllocated;
    private readonly Counter _gpuSecondsUsed;
    private readonly GpuSecondsMeter _perGpuMeter = new();
    private HashSet<(string Node, string Gpu, string Queue, string Job)> _activitySeries = [];

    public ServerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _jobs = factory.CreateGauge("berth_jobs", "Jobs in the store by state.", "state");
        _quotaUsed = factory.CreateGauge("berth_queue_quota_used", "Quota used per queue, flavor and resource (GPUs, cores, bytes).", "queue", "flavor", "resource");
        _quotaNominal = factory.CreateGauge("berth_queue_quota_nominal", "Nominal quota per queue, flavor and resource.", "queue", "flavor", "resource");
        _allocation = factory.CreateGauge("berth_gpu_allocation_ratio", "Share of usable GPU capacity allocated after the last cycle.");
        _fragmentation = factory.CreateGauge("berth_gpu_fragmentation_ratio", "Share of free GPU capacity in partial GPUs after the last cycle.");
        _allocatedGpus = factory.CreateGauge("berth_queue_gpus_allocated", "GPUs held by the running jobs of each queue (shares as fractions).", "queue");
        _usedGpus = factory.CreateGauge("berth_queue_gpus_used", "GPUs doing useful work per queue: allocated GPUs of running jobs weighted by their GPU activity; jobs whose activity is not known are left out (yield = used / capacity).", "queue");
        _idleGpus = factory.CreateGauge("berth_queue_gpus_idle_allocated", "Allocated GPUs measured not busy per queue: allocated x (1 - activity) over running jobs whose activity is known.", "queue");
        _cohortAllocated = factory.CreateGauge("berth_cohort_gpus_allocated", "GPUs held by the running jobs of each cohort's queues.", "cohort");
        _cohortUsed = factory.CreateGauge("berth_cohort_gpus_used", "GPUs doing useful work per cohort (berth_queue_gpus_used over its queues).", "cohort");
        _cohortIdle = factory.CreateGauge("berth_cohort_gpus_idle_allocated", "Allocated GPUs measured not busy per cohort.", "cohort");
        _yield = factory.CreateGauge("berth_gpu_yield_ratio", "GPUs doing useful work over usable GPU capacity (0-1): yield, beside berth_gpu_allocation_ratio.");
        _clusterUsed = factory.CreateGauge("berth_gpus_used", "GPUs doing useful work over all queues.");
        _clusterIdle = factory.CreateGauge("berth_gpus_idle_allocated", "Allocated GPUs measured not busy over all queues.");
        _secondsAllocated = factory.CreateCounter("berth_queue_gpu_seconds_allocated_total", "GPU-seconds allocated per queue: berth_queue_gpus_allocated integrated over the server clock between decision cycles.", "queue");
        _secondsUsed = factory.CreateCounter("berth_queue_gpu_seconds_used_total", "GPU-seconds of useful work per queue: berth_queue_gpus_used integrated over time.", "queue");
        _secondsIdle = factory.CreateCounter("berth_queue_gpu_seconds_idle_allocated_total", "GPU-seconds allocated but measured not busy per queue: berth_queue_gpus_idle_allocated integrated over time.", "queue");
        _gpuActivity = factory.CreateGauge("berth_gpu_activity", "How busy each allocated GPU is (0-1: nvidia-smi utilization on the local machine, the job's stated gpuActivity on simulated nodes), one series per GPU and job holding it; a GPU whose activity is unknown has none, and a released GPU's series goes.", "node", "gpu", "queue", "job");
        _gpuSecondsAllocated = factory.CreateCounter("berth_gpu_seconds_allocated_total", "GPU-seconds allocated per GPU (node, index): the share of it held by running jobs integrated over the server clock.", "node", "gpu");
        _gpuSecondsUsed = factory.CreateCounter("berth_gpu_seconds_used_total", "GPU-seconds of useful work per GPU: the share held times its activity (0 while unknown), integrated over time.", "node", "gpu");
        _unhealthyGpus = factory.CreateGauge("berth_gpu_unhealthy", "1 for a local GPU held out as unhealthy by Berth (uncorrectable ECC errors from nvidia-smi), 0 when in service.", "gpu");
        _telemetryAge = factory.CreateGauge("berth_gpu_telemetry_age_seconds", "Server-clock age of the last nvidia-smi reading (local executor); past the max age jobs' GPU activity is unknown.");
        _cycle = factory.CreateHistogram("berth_decision_cycle_seconds", "Time one decision cycle took (view, plan, write).", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        Submitted = factory.CreateCounter("berth_jobs_submitted_total", "Jobs accepted by the API (idempotent replays not counted).", "queue");
        Refused = factory.CreateCounter("berth_api_refused_total", "Requests refused with a 4xx, by status code.", "status");
    }

    public CollectorRegistry Registry { get; }

    public Counter Submitted { get; }

    public Counter Refused { get; }

    /// <summary>
    /// Sets the gauges from the store's jobs and the last plan, and adds the GPU-seconds since the last cycle at
    /// <paramref name="now"/> (server clock) to the counters; <paramref name="gpus"/>' measured activity, where it has
    /// one, wins over a job's stated one; <paramref name="queues"/> say which cohort each queue is in.
    /// </summary>
    public void Observe(IReadOnlyList<JobRecord> jobs, CyclePlan plan, TimeSpan took, DateTimeOffset now, IReadOnlyList<Queue> queues, Telemetry.LocalGpuTelemetry? gpus = null)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(queues);
        var counts = new int[Enum.GetValues<JobState>().Length];
        foreach (var job in jobs)
        {
            counts[(int)job.State]++;
        }

        foreach (var state in Enum.GetValues<JobState>())
        {
            _jobs.WithLabels(state.ToString()).Set(counts[(int)state]);
        }

        foreach (var q in plan.Quota)
        {
            _quotaUsed.WithLabels(q.Queue, q.Flavor, q.Resource).Set(q.Used);
            _quotaNominal.WithLabels(q.Queue, q.Flavor, q.Resource).Set(q.Nominal);
        }

        var measured = gpus?.Activity ?? new Dictionary<string, double>();
        var byQueue = new Dictionary<string, GpuUse>(StringComparer.Ordinal);
        foreach (var q in plan.Quota)
        {
            byQueue.TryAdd(q.Queue, default);
        }

        foreach (var job in jobs.Where(j => j.State == JobState.Running))
        {
            var held = job.GpusHeld;
            var activity = measured.TryGetValue(job.Id, out var m) ? m : job.Workload.GpuActivity;
            byQueue[job.Workload.Queue] = byQueue.GetValueOrDefault(job.Workload.Queue) + new GpuUse(held, held * (activity ?? 0), activity is { } known ? held * (1 - known) : 0);
        }

        foreach (var (queue, use) in byQueue)
        {
            _allocatedGpus.WithLabels(queue).Set(use.Allocated);
            _usedGpus.WithLabels(queue).Set(use.Used);
            _idleGpus.WithLabels(queue).Set(use.IdleAllocated);
        }

        foreach (var (queue, seconds) in _meter.Advance(now, byQueue))
        {
            _secondsAllocated.WithLabels(queue).Inc(seconds.Allocated);
            _secondsUsed.WithLabels(queue).Inc(seconds.Used);
            _secondsIdle.WithLabels(queue).Inc(seconds.IdleAllocated);
        }

        var cohortOf = queues.Where(q => q.Cohort is not null).ToDictionary(q => q.Name, q => q.Cohort!, StringComparer.Ordinal);
        var byCohort = new Dictionary<string, GpuUse>(StringComparer.Ordinal);
        foreach (var cohort in cohortOf.Values)
        {
            byCohort.TryAdd(cohort, default);
        }

        foreach (var (queue, use) in byQueue)
        {
            if (cohortOf.TryGetValue(queue, out var cohort))
            {
                byCohort[cohort] += use;
            }
        }

        foreach (var (cohort, use) in byCohort)
        {
            _cohortAllocated.WithLabels(cohort).Set(use.Allocated);
            _cohortUsed.WithLabels(cohort).Set(use.Used);
            _cohortIdle.WithLabels(cohort).Set(use.IdleAllocated);
        }

        var total = byQueue.Values.Aggregate(default(GpuUse), (a, b) => a + b);
        _clusterUsed.Set(total.Used);
        _clusterIdle.Set(total.IdleAllocated);
        _yield.Set(plan.GpuCapacity > 0 ? total.Used / plan.GpuCapacity : 0);

        ObserveGpus(jobs, now, gpus);
        if (gpus?.Last is { } last && gpus.Age is { } age)
        {
            var unhealthy = gpus.Unhealthy;
            foreach (var gpu in last.Gpus)
            {
                _unhealthyGpus.WithLabels(gpu.Uuid).Set(unhealthy.ContainsKey(gpu.Uuid) ? 1 : 0);
            }

            _telemetryAge.Set(age.TotalSeconds);
        }

        _allocation.Set(plan.GpuAllocationRatio);
        _fragmentation.Set(plan.GpuFragmentationRatio);
        _cycle.Observe(took.TotalSeconds);
    }

    /// <summary>
    /// Per-GPU figures of the running jobs: <c>berth_gpu_activity</c> for each held GPU whose activity is known (series of
    /// GPUs no longer held, or no longer known, are removed, so there is at most one per held GPU and job), and the
    /// per-GPU GPU-seconds counters (bounded by the cluster's GPUs).
    /// </summary>
    private void ObserveGpus(IReadOnlyList<JobRecord> jobs, DateTimeOffset now, Telemetry.LocalGpuTelemetry? gpus)
    {
        var series = new HashSet<(string Node, string Gpu, string Queue, string Job)>();
        var held = new Dictionary<string, GpuUse>(StringComparer.Ordinal);
        foreach (var job in jobs.Where(j => j.State == JobState.Running))
        {
            foreach (var b in job.Bindings)
            {
                var share = Math.Min(1.0, b.GpuMilli / 1000.0);
                foreach (var g in Runtime.Lifecycle.Gpus.Indices(b.GpuMask))
                {
                    var gpu = g.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var activity = Telemetry.GpuActivityOf.Job(job, b.Node, g, gpus);
                    if (activity is { } known)
                    {
                        var key = (Node: b.Node, Gpu: gpu, Queue: job.Workload.Queue, Job: job.Id);
                        series.Add(key);
                        _gpuActivity.WithLabels(key.Node, key.Gpu, key.Queue, key.Job).Set(known);
                    }

                    var name = b.Node + "/" + gpu;
                    held[name] = held.GetValueOrDefault(name) + new GpuUse(share, share * (activity ?? 0), activity is { } k ? share * (1 - k) : 0);
                }
            }
        }

        foreach (var gone in _activitySeries.Where(s => !series.Contains(s)))
        {
            _gpuActivity.RemoveLabelled(gone.Node, gone.Gpu, gone.Queue, gone.Job);
        }

        _activitySeries = series;
        foreach (var (name, seconds) in _perGpuMeter.Advance(now, held))
        {
            var slash = name.LastIndexOf('/');
            _gpuSecondsAllocated.WithLabels(name[..slash], name[(slash + 1)..]).Inc(seconds.Allocated);
            _gpuSecondsUsed.WithLabels(name[..slash], name[(slash + 1)..]).Inc(seconds.Used);
        }
    }
}
