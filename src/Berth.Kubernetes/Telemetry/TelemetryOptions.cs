using System.Globalization;

namespace Berth.Kubernetes.Telemetry;

/// <summary>
/// Where Berth reads how busy each pod's GPUs are: a Prometheus server that scrapes NVIDIA's DCGM exporter. The
/// defaults read <c>DCGM_FI_PROF_GR_ENGINE_ACTIVE</c>, already a 0..1 share; <c>DCGM_FI_DEV_GPU_UTIL</c> (0..100)
/// works with <see cref="Scale"/> 0.01.
/// </summary>
public sealed record TelemetryOptions
{
    /// <summary>
    /// The query used unless one is given: one 0..1 value per pod and GPU (Berth averages a pod's GPUs for its activity,
    /// and keeps each GPU's for the per-GPU gauge and the dashboard's grid; <c>Hostname</c> and <c>gpu</c> name the GPU).
    /// </summary>
    public const string DefaultQuery = "avg by (namespace, pod, Hostname, gpu) (DCGM_FI_PROF_GR_ENGINE_ACTIVE)";

    /// <summary>
    /// The health query used unless one is given: DCGM's error fields per GPU. dcgm-exporter's default counters export
    /// <c>DCGM_FI_DEV_XID_ERRORS</c> and <c>DCGM_FI_DEV_ROW_REMAP_FAILURE</c>; the ECC and NVLink counters are
    /// commented out in its <c>default-counters.csv</c> and must be enabled there to be read. One selector on
    /// <c>__name__</c>, not <c>a or b</c>: PromQL's <c>or</c> matches series on their labels without the name, so it
    /// would drop every field of a GPU but the first (the real-Prometheus test caught it).
    /// </summary>
    public const string DefaultHealthQuery = "{__name__=~\"DCGM_FI_DEV_XID_ERRORS|DCGM_FI_DEV_ECC_DBE_VOL_TOTAL|DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL|DCGM_FI_DEV_ROW_REMAP_FAILURE\"}";

    /// <summary>Base URL of the Prometheus server (e.g. <c>http://prometheus.monitoring:9090</c>); the reader calls <c>/api/v1/query</c> under it.</summary>
    public required Uri PrometheusUrl { get; init; }

    /// <summary>A file holding a bearer token (a projected ServiceAccount token, say); read again on every query so a rotated token is used. Null: no Authorization header.</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>
    /// A PromQL instant query whose result carries <c>namespace</c> and <c>pod</c> labels (or <c>exported_namespace</c>/<c>exported_pod</c>),
    /// and, for per-GPU activity, <c>Hostname</c> and <c>gpu</c>.
    /// </summary>
    public string Query { get; init; } = DefaultQuery;

    /// <summary>
    /// A PromQL instant query for GPU error fields, one series per GPU and field with <c>__name__</c>, <c>Hostname</c>
    /// (the node) and <c>gpu</c> (the index) labels as dcgm-exporter writes them; null: GPU health is not read.
    /// </summary>
    public string? HealthQuery { get; init; } = DefaultHealthQuery;

    /// <summary>Health readings in a row without a new error before a GPU marked unhealthy is back in service.</summary>
    public int RecoverAfter { get; init; } = 10;

    /// <summary>Each value is multiplied by this to give a 0..1 share (0.01 for a percentage such as <c>DCGM_FI_DEV_GPU_UTIL</c>).</summary>
    public double Scale { get; init; } = 1;

    /// <summary>How often the controller reads again in the background.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A sample older than this (by its Prometheus timestamp, against Berth's clock) is dropped: activity unknown, never idle.</summary>
    public TimeSpan MaxSampleAge { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long one query may take before it counts as failed (Prometheus slow or unreachable).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field and the fix when a value cannot work.</summary>
    public void Validate()
    {
        if (!PrometheusUrl.IsAbsoluteUri || (PrometheusUrl.Scheme != Uri.UriSchemeHttp && PrometheusUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"prometheus URL '{PrometheusUrl}' is not an absolute http(s) URL; give one such as http://prometheus.monitoring:9090", nameof(PrometheusUrl));
        }

        if (string.IsNullOrWhiteSpace(Query))
        {
            throw new ArgumentException("the telemetry query is empty; leave it out for the default, " + DefaultQuery, nameof(Query));
        }

        if (!(Scale > 0) || double.IsInfinity(Scale))
        {
            throw new ArgumentException($"the telemetry scale is {Scale.ToString(CultureInfo.InvariantCulture)}; give a positive factor that turns a value into a 0..1 share (1, or 0.01 for a percentage)", nameof(Scale));
        }

        if (HealthQuery is { } health && string.IsNullOrWhiteSpace(health))
        {
            throw new ArgumentException("the telemetry health query is empty; leave it out for the default, " + DefaultHealthQuery, nameof(HealthQuery));
        }

        if (RecoverAfter < 1)
        {
            throw new ArgumentException($"the telemetry recoverAfter is {RecoverAfter}; give the number of clean health readings before an unhealthy GPU is used again, at least 1", nameof(RecoverAfter));
        }

        foreach (var (name, value) in new[] { (nameof(Interval), Interval), (nameof(MaxSampleAge), MaxSampleAge), (nameof(Timeout), Timeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException($"the telemetry {name} is {value}; give a positive duration such as 30s", name);
            }
        }
    }
}
