using System.Collections.Concurrent;
using Berth.Kubernetes.Operator;
using Berth.Runtime.Health;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Telemetry;

/// <summary>
/// The controller's latest GPU activity per pod, refreshed in the background by <see cref="RunAsync"/>. A failed read
/// keeps the samples it had, and those age out after <see cref="TelemetryOptions.MaxSampleAge"/>: with Prometheus
/// down for long, every activity becomes unknown and nothing counts as idle. With a health query it also reads DCGM's
/// error fields and keeps GPU health (<see cref="GpuErrorTracker"/>): a failed or stale health read changes nothing, so
/// marks stay and none are added. Thread-safe: one writer (the refresh), readers take immutable values.
/// </summary>
public sealed class GpuTelemetry
{
    private readonly PrometheusReader _reader;
    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MetricsRegistry? _metrics;
    private readonly GpuErrorTracker _health;
    private readonly ConcurrentQueue<GpuHealthChange> _changes = new();
    private volatile IReadOnlyList<GpuActivitySample> _samples = [];
    private volatile IReadOnlyDictionary<string, int> _unhealthy = new Dictionary<string, int>(StringComparer.Ordinal);

    public GpuTelemetry(PrometheusReader reader, TelemetryOptions options, TimeProvider time, ILogger logger, MetricsRegistry? metrics)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _reader = reader;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _health = new GpuErrorTracker(options.RecoverAfter);
    }

    /// <summary>The last reading (null before the first).</summary>
    public TelemetryReading? LastReading { get; private set; }

    /// <summary>The last health reading (null before the first, or without a health query).</summary>
    public TelemetryReading? LastHealthReading { get; private set; }

    /// <summary>True once a health read has worked: GPU health is known (until then Berth writes no node condition).</summary>
    public bool HealthKnown { get; private set; }

    /// <summary>Unhealthy GPUs from telemetry as a mask of indices per node.</summary>
    public IReadOnlyDictionary<string, int> UnhealthyGpus => _unhealthy;

    /// <summary>GPUs that turned unhealthy or recovered since the last call, in order, for the node's events.</summary>
    public IReadOnlyList<GpuHealthChange> TakeHealthChanges()
    {
        var changes = new List<GpuHealthChange>();
        while (_changes.TryDequeue(out var change))
        {
            changes.Add(change);
        }

        return changes;
    }

    /// <summary>Reads activity and, with a health query, GPU health once; the activity reading is returned.</summary>
    public async Task<TelemetryReading> RefreshAsync(CancellationToken cancellationToken)
    {
        var activity = await RefreshActivityAsync(cancellationToken).ConfigureAwait(false);
        if (_options.HealthQuery is not null)
        {
            await RefreshHealthAsync(cancellationToken).ConfigureAwait(false);
        }

        return activity;
    }

    /// <summary>Reads DCGM's error fields once: a good read updates GPU health; a failed one is logged and changes nothing.</summary>
    public async Task<TelemetryReading> RefreshHealthAsync(CancellationToken cancellationToken)
    {
        var reading = await _reader.ReadHealthAsync(cancellationToken).ConfigureAwait(false);
        LastHealthReading = reading;
        _metrics?.Increment("berth_telemetry_health_reads_total", 1, ("result", reading.Failure ?? "ok"));
        if (!reading.Ok)
        {
            _logger.LogWarning("GPU health read failed ({Failure}): {Message}; GPU health stays as it was", reading.Failure, reading.FailureMessage);
            return reading;
        }

        if (reading.Dropped.Count > 0)
        {
            _logger.LogWarning("GPU health: {Dropped} series ignored ({Reasons}); they neither mark nor clear a GPU",
                reading.Dropped.Values.Sum(), string.Join(", ", reading.Dropped.Select(d => $"{d.Key}: {d.Value}")));
        }

        foreach (var change in _health.Observe(reading.Signals))
        {
            _changes.Enqueue(change);
            _logger.LogWarning("GPU {Gpu} {State}: {Message}", change.Gpu, change.Healthy ? "back in service" : "unhealthy", change.Message);
        }

        var unhealthy = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (gpu, _) in _health.Unhealthy)
        {
            var slash = gpu.LastIndexOf('/');
            var index = int.Parse(gpu.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
            if (index < 32)
            {
                unhealthy[gpu[..slash]] = unhealthy.GetValueOrDefault(gpu[..slash]) | (1 << index);
            }
        }

        _unhealthy = unhealthy;
        HealthKnown = true;
        return reading;
    }

    /// <summary>Reads activity once: keeps the samples of a good read, logs and counts what was dropped or why the read failed.</summary>
    public async Task<TelemetryReading> RefreshActivityAsync(CancellationToken cancellationToken)
    {
        var reading = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        LastReading = reading;
        _metrics?.Increment("berth_telemetry_reads_total", 1, ("result", reading.Failure ?? "ok"));
        if (!reading.Ok)
        {
            _logger.LogWarning("GPU telemetry read failed ({Failure}): {Message}; keeping the samples of the last good read until they are older than {MaxAge}", reading.Failure, reading.FailureMessage, _options.MaxSampleAge);
            return reading;
        }

        _samples = reading.Samples;
        _metrics?.Set("berth_telemetry_pods", reading.Samples.Select(s => s.Key).Distinct(StringComparer.Ordinal).Count());
        foreach (var (reason, count) in reading.Dropped)
        {
            _metrics?.Increment("berth_telemetry_samples_dropped_total", count, ("reason", reason));
        }

        if (reading.Dropped.Count > 0)
        {
            _logger.LogWarning("GPU telemetry: {Dropped} sample(s) ignored ({Reasons}); those pods' activity is unknown and they are never idle for it",
                reading.Dropped.Values.Sum(), string.Join(", ", reading.Dropped.Select(d => $"{d.Key}: {d.Value}")));
        }

        return reading;
    }

    /// <summary>The mean activity of each pod (<c>namespace/name</c>) over its samples no older than the maximum age now.</summary>
    public IReadOnlyDictionary<string, double> ActivityByPod()
    {
        var oldest = _time.GetUtcNow() - _options.MaxSampleAge;
        return _samples.Where(s => s.At >= oldest)
            .GroupBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Average(s => s.Activity), StringComparer.Ordinal);
    }

    /// <summary>
    /// The mean activity of each GPU (<c>node/index</c>) over its samples no older than the maximum age now; only
    /// samples that name their GPU (<c>Hostname</c>, <c>gpu</c>) count. Several pods sharing a GPU each report the
    /// whole GPU's activity, so their mean is that activity.
    /// </summary>
    public IReadOnlyDictionary<string, double> ActivityByGpu()
    {
        var oldest = _time.GetUtcNow() - _options.MaxSampleAge;
        return _samples.Where(s => s.At >= oldest && s.GpuKey is not null)
            .GroupBy(s => s.GpuKey!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Average(s => s.Activity), StringComparer.Ordinal);
    }

    /// <summary>Reads at once and then every <see cref="TelemetryOptions.Interval"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_options.Interval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
