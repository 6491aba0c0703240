using Berth.Runtime.Plan;
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
        _unhealthyGpus = factory.CreateGauge("berth_gpu_unhealthy", "1 for a local GPU held out as unhealthy by Berth (uncorrectable ECC errors from nvidia-smi), 0 when in service.", "gpu");
        _telemetryAge = factory.CreateGauge("berth_gpu_telemetry_age_seconds", "Server-clock age of the last nvidia-smi reading (local executor); past the max age jobs' GPU activity is unknown.");
        _cycle = factory.CreateHistogram("berth_decision_cycle_seconds", "Time one decision cycle took (view, plan, write).", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        Submitted = factory.CreateCounter("berth_jobs_submitted_total", "Jobs accepted by the API (idempotent replays not counted).", "queue");
        Refused = factory.CreateCounter("berth_api_refused_total", "Requests refused with a 4xx, by status code.", "status");
    }

    public CollectorRegistry Registry { get; }

    public Counter Submitted { get; }

    public Counter Refused { get; }

    /// <summary>Sets the gauges from the store's jobs and the last plan; <paramref name="gpus"/>' measured activity, where it has one, wins over a job's stated one.</summary>
    public void Observe(IReadOnlyList<JobRecord> jobs, CyclePlan plan, TimeSpan took, Telemetry.LocalGpuTelemetry? gpus = null)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(plan);
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
        var allocated = new Dictionary<string, double>(StringComparer.Ordinal);
        var used = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var job in jobs.Where(j => j.State == JobState.Running))
        {
            var held = job.GpusHeld;
            allocated[job.Workload.Queue] = allocated.GetValueOrDefault(job.Workload.Queue) + held;
            used[job.Workload.Queue] = used.GetValueOrDefault(job.Workload.Queue) + (held * (measured.GetValueOrDefault(job.Id, job.Workload.GpuActivity ?? 0)));
        }

        foreach (var queue in plan.Quota.Select(q => q.Queue).Concat(allocated.Keys).Distinct(StringComparer.Ordinal))
        {
            _allocatedGpus.WithLabels(queue).Set(allocated.GetValueOrDefault(queue));
            _usedGpus.WithLabels(queue).Set(used.GetValueOrDefault(queue));
        }

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
}
