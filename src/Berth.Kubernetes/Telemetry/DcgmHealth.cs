using System.Globalization;
using System.Text.Json;
using Berth.Runtime.Health;

namespace Berth.Kubernetes.Telemetry;

/// <summary>
/// Reads GPU error fields of NVIDIA's DCGM exporter from a Prometheus instant-vector answer: each series names its
/// field (<c>__name__</c>), its node (<c>Hostname</c>, which dcgm-exporter sets to the node name) and its GPU
/// (<c>gpu</c>, the index). A series that lacks one of them, is not a whole non-negative number, is older than the
/// maximum age or names a field Berth does not know is dropped with its reason: it neither marks nor clears a GPU.
/// </summary>
public static class DcgmHealth
{
    /// <summary>The fields Berth reads and how each says an error: XID holds the last error's code, row-remap failure is a state, the rest count.</summary>
    public static IReadOnlyDictionary<string, GpuSignalKind> Fields { get; } = new Dictionary<string, GpuSignalKind>(StringComparer.Ordinal)
    {
        ["DCGM_FI_DEV_XID_ERRORS"] = GpuSignalKind.Code,
        ["DCGM_FI_DEV_ECC_DBE_VOL_TOTAL"] = GpuSignalKind.Counter,
        ["DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL"] = GpuSignalKind.Counter,
        ["DCGM_FI_DEV_ROW_REMAP_FAILURE"] = GpuSignalKind.Flag,
    };

    /// <summary>The name of a GPU in signals and health changes: <c>node/index</c>.</summary>
    public static string GpuKey(string node, int index) => string.Create(CultureInfo.InvariantCulture, $"{node}/{index}");

    /// <summary>The signals of one health answer, with what was dropped and why; a failed reading when the answer is not an instant vector.</summary>
    public static TelemetryReading Parse(string body, DateTimeOffset now, TimeSpan maxAge)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (PrometheusReader.Vector(body, out var document, out var result) is { } failed)
        {
            return failed;
        }

        using (document)
        {
            var signals = new List<GpuErrorSignal>();
            var dropped = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var series in result.EnumerateArray())
            {
                if (Signal(series, now, maxAge, out var reason) is { } signal)
                {
                    signals.Add(signal);
                }
                else
                {
                    dropped[reason!] = dropped.GetValueOrDefault(reason!) + 1;
                }
            }

            return new TelemetryReading { Signals = signals, Dropped = dropped };
        }
    }

    private static GpuErrorSignal? Signal(JsonElement series, DateTimeOffset now, TimeSpan maxAge, out string? reason)
    {
        reason = "malformed";
        if (series.ValueKind != JsonValueKind.Object || !series.TryGetProperty("metric", out var metric) || metric.ValueKind != JsonValueKind.Object
            || !series.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2
            || value[0].ValueKind != JsonValueKind.Number || !value[0].TryGetDouble(out var seconds) || value[1].ValueKind != JsonValueKind.String)
        {
            return null;
        }

        if (Label(metric, "__name__") is not { } name || !Fields.TryGetValue(name, out var kind))
        {
            reason = "unknown-field";
            return null;
        }

        if (Label(metric, "Hostname") is not { } node || Label(metric, "gpu") is not { } gpu
            || !int.TryParse(gpu, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            reason = "no-gpu-label";
            return null;
        }

        if (!double.TryParse(value[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || !(number >= 0 && number <= long.MaxValue) || number != Math.Floor(number))
        {
            reason = "not-a-count";
            return null;
        }

        if (now - DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)) > maxAge)
        {
            reason = "stale";
            return null;
        }

        reason = null;
        return new GpuErrorSignal(GpuKey(node, index), name, kind, (long)number);
    }

    private static string? Label(JsonElement metric, string name) =>
        metric.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
}
