using System.Globalization;
using System.Text;

namespace Berth.Kubernetes.Operator;

/// <summary>
/// Metrics in the Prometheus text exposition format (version 0.0.4): gauges that a decision cycle sets
/// whole (pending workloads by queue and reason, quota usage, allocation), counters that only grow
/// (evictions by reason, bindings) and histograms (admission wait, decision latency). Thread-safe.
/// </summary>
public sealed class MetricsRegistry
{
    private static readonly double[] WaitBuckets = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400];
    private static readonly double[] LatencyBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Family> _families = new(StringComparer.Ordinal);

    public MetricsRegistry()
    {
        Declare("berth_pending_workloads", "gauge", "Pending workloads by queue and pending reason.");
        Declare("berth_admitted_workloads", "gauge", "Admitted workloads by queue.");
        Declare("berth_quota_usage", "gauge", "Quota used per queue, flavor and resource (GPU in GPUs, CPU in cores, memory in bytes).");
        Declare("berth_quota_nominal", "gauge", "Nominal quota per queue, flavor and resource.");
        Declare("berth_gpu_allocation_ratio", "gauge", "Allocated GPU share of all healthy GPUs Berth can place on (0-1).");
        Declare("berth_gpu_fragmentation_ratio", "gauge", "Share of free GPU capacity that sits on partly used GPUs (0-1).");
        Declare("berth_unhealthy_gpus", "gauge", "GPUs out of capacity because their node or they are unhealthy.");
        Declare("berth_evictions_total", "counter", "Workloads evicted (preempted, reclaimed, requeued from unhealthy nodes) by reason.");
        Declare("berth_pods_bound_total", "counter", "Pods bound by Berth.");
        Declare("berth_admissions_total", "counter", "Workloads admitted by queue.");
        Declare("berth_admission_wait_seconds", "histogram", "Time from creation to admission.", WaitBuckets);
        Declare("berth_decision_latency_seconds", "histogram", "Time one decision cycle takes, from snapshot to the last action sent.", LatencyBuckets);
        Declare("berth_leader", "gauge", "1 while this replica holds the leader lease.");
    }

    public void Set(string name, double value, params (string Key, string Value)[] labels)
    {
        lock (_gate)
        {
            _families[name].Values[Labels(labels)] = value;
        }
    }

    /// <summary>Replaces every series of a gauge family at once (a cycle's full view: series that vanished go).</summary>
    public void Replace(string name, IEnumerable<(double Value, (string Key, string Value)[] Labels)> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        lock (_gate)
        {
            var values = _families[name].Values;
            values.Clear();
            foreach (var (value, labels) in series)
            {
                var key = Labels(labels);
                values[key] = values.GetValueOrDefault(key) + value;
            }
        }
    }

    public void Increment(string name, double by = 1, params (string Key, string Value)[] labels)
    {
        lock (_gate)
        {
            var values = _families[name].Values;
            var key = Labels(labels);
            values[key] = values.GetValueOrDefault(key) + by;
        }
    }

    public void Observe(string name, double value, params (string Key, string Value)[] labels)
    {
        lock (_gate)
        {
            var family = _families[name];
            var key = Labels(labels);
            if (!family.Histograms.TryGetValue(key, out var histogram))
            {
                histogram = new Histogram(family.Buckets!.Length);
                family.Histograms[key] = histogram;
            }

            for (var i = 0; i < family.Buckets!.Length; i++)
            {
                if (value <= family.Buckets[i])
                {
                    histogram.Counts[i]++;
                }
            }

            histogram.Count++;
            histogram.Sum += value;
        }
    }

    /// <summary>The value of one series (0 when absent), for tests and status.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        lock (_gate)
        {
            var family = _families[name];
            var key = Labels(labels);
            return family.Histograms.TryGetValue(key, out var h) ? h.Count : family.Values.GetValueOrDefault(key);
        }
    }

    /// <summary>Writes every family in the text exposition format.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var (name, family) in _families)
            {
                text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {family.Help}\n# TYPE {name} {family.Type}\n");
                foreach (var (labels, value) in family.Values)
                {
                    text.Append(name).Append(labels.Length == 0 ? string.Empty : "{" + labels + "}").Append(' ').Append(Format(value)).Append('\n');
                }

                foreach (var (labels, h) in family.Histograms)
                {
                    var prefix = labels.Length == 0 ? string.Empty : labels + ",";
                    for (var i = 0; i < family.Buckets!.Length; i++)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"{Format(family.Buckets[i])}\"}} {h.Counts[i]}\n");
                    }

                    text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{prefix}le=\"+Inf\"}} {h.Count}\n");
                    var suffix = labels.Length == 0 ? string.Empty : "{" + labels + "}";
                    text.Append(CultureInfo.InvariantCulture, $"{name}_sum{suffix} {Format(h.Sum)}\n{name}_count{suffix} {h.Count}\n");
                }
            }
        }

        return text.ToString();
    }

    private void Declare(string name, string type, string help, double[]? buckets = null) => _families[name] = new Family(type, help, buckets);

    private static string Labels((string Key, string Value)[] labels) =>
        string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{Escape(l.Value)}\""));

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Family(string type, string help, double[]? buckets)
    {
        public string Type { get; } = type;

        public string Help { get; } = help;

        public double[]? Buckets { get; } = buckets;

        public SortedDictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, Histogram> Histograms { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Histogram(int buckets)
    {
        public long[] Counts { get; } = new long[buckets];

        public long Count { get; set; }

        public double Sum { get; set; }
    }
}
