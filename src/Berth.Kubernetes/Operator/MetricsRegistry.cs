using Prometheus;

namespace Berth.Kubernetes.Operator;

/// <summary>
/// Berth's metrics on prometheus-net (its own registry per operator, nothing in the library's global one): gauges
/// that a decision cycle sets whole (pending workloads by queue and reason, quota usage, allocation), counters
/// that only grow (evictions by reason, bindings) and histograms (admission wait, decision latency). The text
/// exposition is the library's. Thread-safe (the library's collectors are).
/// </summary>
public sealed class MetricsRegistry
{
    private static readonly double[] WaitBuckets = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400];
    private static readonly double[] LatencyBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Dictionary<string, Collector> _families = new(StringComparer.Ordinal);
    private readonly Lock _replace = new();

    public MetricsRegistry()
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        Gauge("berth_pending_workloads", "Pending workloads by queue and pending reason.", "queue", "reason");
        Gauge("berth_admitted_workloads", "Admitted workloads by queue.", "queue");
        Gauge("berth_quota_usage", "Quota used per queue, flavor and resource (GPU in GPUs, CPU in cores, memory in bytes).", "flavor", "queue", "resource");
        Gauge("berth_quota_nominal", "Nominal quota per queue, flavor and resource.", "flavor", "queue", "resource");
        Gauge("berth_gpu_allocation_ratio", "Allocated GPU share of all healthy GPUs Berth can place on (0-1).");
        Gauge("berth_gpu_fragmentation_ratio", "Share of free GPU capacity that sits on partly used GPUs (0-1).");
        Gauge("berth_unhealthy_gpus", "GPUs out of capacity because their node or they are unhealthy.");
        Gauge("berth_leader", "1 while this replica holds the leader lease.");
        Gauge("berth_idle_workloads", "Running workloads whose GPUs are idle under their queue's idleGpus policy (telemetry), by queue.", "queue");
        Gauge("berth_queue_gpus_allocated", "GPUs held by the bound pods of running workloads, by queue (shares as fractions).", "queue");
        Gauge("berth_queue_gpus_used", "GPUs doing useful work by queue: allocated GPUs weighted by measured GPU activity; workloads without telemetry count 0.", "queue");
        Gauge("berth_queue_gpus_idle_allocated", "Allocated GPUs that telemetry measured not busy, by queue (allocated x (1 - activity) over workloads with telemetry).", "queue");
        Gauge("berth_cohort_gpus_allocated", "GPUs held by the bound pods of running workloads, by cohort (berth_queue_gpus_allocated over its queues).", "cohort");
        Gauge("berth_cohort_gpus_used", "GPUs doing useful work by cohort (berth_queue_gpus_used over its queues).", "cohort");
        Gauge("berth_cohort_gpus_idle_allocated", "Allocated GPUs that telemetry measured not busy, by cohort.", "cohort");
        Gauge("berth_gpus_used", "GPUs doing useful work over all queues.");
        Gauge("berth_gpus_idle_allocated", "Allocated GPUs that telemetry measured not busy over all queues.");
        Gauge("berth_gpu_yield_ratio", "GPUs doing useful work over all healthy GPUs (0-1): yield, beside berth_gpu_allocation_ratio.");
        Gauge("berth_gpu_activity", "How busy each allocated GPU is (0-1, DCGM SM activity), one series per GPU and workload holding it; a GPU without a fresh sample has none, and a released GPU's series goes.", "gpu", "job", "node", "queue");
        Gauge("berth_telemetry_pods", "Pods with a fresh GPU activity sample from Prometheus in the last read.");
        _families["berth_telemetry_reads_total"] = factory.CreateCounter("berth_telemetry_reads_total", "Reads of GPU activity from Prometheus by result (ok, or why it failed).", "result");
        _families["berth_telemetry_health_reads_total"] = factory.CreateCounter("berth_telemetry_health_reads_total", "Reads of GPU error fields (DCGM XID, ECC, NVLink, row remapping) from Prometheus by result.", "result");
        _families["berth_telemetry_samples_dropped_total"] = factory.CreateCounter("berth_telemetry_samples_dropped_total", "GPU activity samples ignored by reason (no pod label, not a number, out of range, stale).", "reason");
        _families["berth_queue_gpu_seconds_allocated_total"] = factory.CreateCounter("berth_queue_gpu_seconds_allocated_total", "GPU-seconds allocated by queue: berth_queue_gpus_allocated integrated over the operator clock between decision cycles.", "queue");
        _families["berth_queue_gpu_seconds_used_total"] = factory.CreateCounter("berth_queue_gpu_seconds_used_total", "GPU-seconds of useful work by queue: berth_queue_gpus_used integrated over time.", "queue");
        _families["berth_queue_gpu_seconds_idle_allocated_total"] = factory.CreateCounter("berth_queue_gpu_seconds_idle_allocated_total", "GPU-seconds allocated but measured not busy by queue: berth_queue_gpus_idle_allocated integrated over time.", "queue");
        _families["berth_gpu_seconds_allocated_total"] = factory.CreateCounter("berth_gpu_seconds_allocated_total", "GPU-seconds allocated per GPU (node, index): the share of it held by running workloads integrated over the operator clock.", "gpu", "node");
        _families["berth_gpu_seconds_used_total"] = factory.CreateCounter("berth_gpu_seconds_used_total", "GPU-seconds of useful work per GPU: the share held times its measured activity (0 while unknown), integrated over time.", "gpu", "node");
        _families["berth_evictions_total"] = factory.CreateCounter("berth_evictions_total", "Workloads evicted (preempted, reclaimed, requeued from unhealthy nodes) by reason.", "reason");
        _families["berth_pods_bound_total"] = factory.CreateCounter("berth_pods_bound_total", "Pods bound by Berth.");
        _families["berth_admissions_total"] = factory.CreateCounter("berth_admissions_total", "Workloads admitted by queue.");
        _families["berth_admission_wait_seconds"] = factory.CreateHistogram("berth_admission_wait_seconds", "Time from creation to admission.", new HistogramConfiguration { Buckets = WaitBuckets });
        _families["berth_decision_latency_seconds"] = factory.CreateHistogram("berth_decision_latency_seconds", "Time one decision cycle takes, from snapshot to the last action sent.", new HistogramConfiguration { Buckets = LatencyBuckets });

        void Gauge(string name, string help, params string[] labels) => _families[name] = factory.CreateGauge(name, help, labels);
    }

    public void Set(string name, double value, params (string Key, string Value)[] labels) => Family<Gauge>(name).WithLabels(Values<Gauge>(name, labels)).Set(value);

    /// <summary>Replaces every series of a gauge family at once (a cycle's full view: series that vanished go).</summary>
    public void Replace(string name, IEnumerable<(double Value, (string Key, string Value)[] Labels)> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var gauge = Family<Gauge>(name);
        var sums = new Dictionary<string[], double>(LabelValuesComparer.Instance);
        foreach (var (value, labels) in series)
        {
            var key = Values<Gauge>(name, labels);
            sums[key] = sums.GetValueOrDefault(key) + value;
        }

        lock (_replace)
        {
            foreach (var old in gauge.GetAllLabelValues().ToArray())
            {
                if (!sums.ContainsKey(old))
                {
                    gauge.RemoveLabelled(old);
                }
            }

            foreach (var (labels, value) in sums)
            {
                gauge.WithLabels(labels).Set(value);
            }
        }
    }

    public void Increment(string name, double by = 1, params (string Key, string Value)[] labels) => Family<Counter>(name).WithLabels(Values<Counter>(name, labels)).Inc(by);

    public void Observe(string name, double value, params (string Key, string Value)[] labels) => Family<Histogram>(name).WithLabels(Values<Histogram>(name, labels)).Observe(value);

    /// <summary>The value of one series (0 when absent; a histogram's count), for tests and status.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var family = _families[name];
        var values = Values(family, name, labels);
        return family switch
        {
            Gauge g => Has(g.GetAllLabelValues(), values) ? g.WithLabels(values).Value : 0,
            Counter c => Has(c.GetAllLabelValues(), values) ? c.WithLabels(values).Value : 0,
            Histogram h => Has(h.GetAllLabelValues(), values) ? h.WithLabels(values).Count : 0,
            _ => 0,
        };

        static bool Has(IEnumerable<string[]> series, string[] values) => values.Length == 0 || series.Any(v => LabelValuesComparer.Instance.Equals(v, values));
    }

    /// <summary>Writes every family in the Prometheus text exposition format to <paramref name="destination"/>.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) => _registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    /// <summary>The text exposition, as a string (tests, status).</summary>
    public string Render()
    {
        using var buffer = new MemoryStream();
        WriteAsync(buffer, CancellationToken.None).GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private T Family<T>(string name)
        where T : Collector => _families.TryGetValue(name, out var family) && family is T typed
            ? typed
            : throw new ArgumentException($"metric {name} is not a declared {typeof(T).Name}; declare it in {nameof(MetricsRegistry)}", nameof(name));

    private string[] Values<T>(string name, (string Key, string Value)[] labels)
        where T : Collector => Values(Family<T>(name), name, labels);

    /// <summary>The label values in the family's declared order; a missing or unknown label is a bug in the caller.</summary>
    private static string[] Values(Collector family, string name, (string Key, string Value)[] labels)
    {
        var names = family.LabelNames;
        if (labels.Length != names.Length)
        {
            throw new ArgumentException($"metric {name} has labels [{string.Join(", ", names)}]; got [{string.Join(", ", labels.Select(l => l.Key))}]", nameof(labels));
        }

        var values = new string[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            var index = Array.FindIndex(labels, l => l.Key == names[i]);
            values[i] = index >= 0 ? labels[index].Value : throw new ArgumentException($"metric {name} needs label {names[i]}", nameof(labels));
        }

        return values;
    }

    private sealed class LabelValuesComparer : IEqualityComparer<string[]>
    {
        public static LabelValuesComparer Instance { get; } = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null ? x.AsSpan().SequenceEqual(y) : x == y;

        public int GetHashCode(string[] obj)
        {
            var hash = new HashCode();
            foreach (var value in obj)
            {
                hash.Add(value, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
