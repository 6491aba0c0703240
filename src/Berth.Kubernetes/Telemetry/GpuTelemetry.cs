using Berth.Kubernetes.Operator;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Telemetry;

/// <summary>
/// The controller's latest GPU activity per pod, refreshed in the background by <see cref="RunAsync"/>. A failed read
/// keeps the samples it had, and those age out after <see cref="TelemetryOptions.MaxSampleAge"/>: with Prometheus
/// down for long, every activity becomes unknown and nothing counts as idle. Thread-safe: one writer (the refresh),
/// readers take an immutable list.
/// </summary>
public sealed class GpuTelemetry
{
    private readonly PrometheusReader _reader;
    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MetricsRegistry? _metrics;
    private volatile IReadOnlyList<GpuActivitySample> _samples = [];

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
    }

    /// <summary>The last reading (null before the first).</summary>
    public TelemetryReading? LastReading { get; private set; }

    /// <summary>Reads once: keeps the samples of a good read, logs and counts what was dropped or why the read failed.</summary>
    public async Task<TelemetryReading> RefreshAsync(CancellationToken cancellationToken)
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
