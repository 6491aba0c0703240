using System.Globalization;
using System.Net;
using System.Text;

namespace Berth.Kubernetes.Tests.Telemetry;

/// <summary>
/// A stand-in for Prometheus's HTTP API: answers each query with what the test set (a status and a body), or never
/// answers (a hung server, ended by the caller's timeout), or refuses the connection. Records the requests.
/// </summary>
public sealed class CannedPrometheus : HttpMessageHandler
{
    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    /// <summary>The body of the next answers.</summary>
    public string Body { get; set; } = Vector();

    /// <summary>The answer to the health query (DCGM's error fields) when set; null: <see cref="Body"/> answers it too.</summary>
    public string? HealthBody { get; set; }

    /// <summary>True: the request waits until it is cancelled (Prometheus hangs).</summary>
    public bool Hang { get; set; }

    /// <summary>True: the connection is refused (Prometheus down).</summary>
    public bool Down { get; set; }

    public List<HttpRequestMessage> Requests { get; } = [];

    /// <summary>A successful instant-vector answer with one series per sample.</summary>
    public static string Vector(params (string Namespace, string Pod, string Value, DateTimeOffset At)[] samples)
    {
        var series = samples.Select(s => "{\"metric\":{\"namespace\":\"" + s.Namespace + "\",\"pod\":\"" + s.Pod + "\"},\"value\":["
            + (s.At.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture) + ",\"" + s.Value + "\"]}");
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + string.Join(",", series) + "]}}";
    }

    /// <summary>A successful instant-vector answer with one series per pod and GPU, as the default query gives (DCGM's <c>Hostname</c> and <c>gpu</c> labels).</summary>
    public static string PerGpu(params (string Namespace, string Pod, string Node, int Gpu, string Value, DateTimeOffset At)[] samples)
    {
        var series = samples.Select(s => "{\"metric\":{\"Hostname\":\"" + s.Node + "\",\"gpu\":\"" + s.Gpu.ToString(CultureInfo.InvariantCulture) + "\",\"namespace\":\"" + s.Namespace + "\",\"pod\":\"" + s.Pod + "\"},\"value\":["
            + (s.At.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture) + ",\"" + s.Value + "\"]}");
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + string.Join(",", series) + "]}}";
    }

    /// <summary>A successful instant-vector answer with one series per DCGM error field of a GPU, labelled as dcgm-exporter labels them.</summary>
    public static string Health(params (string Field, string Node, int Gpu, string Value, DateTimeOffset At)[] series)
    {
        var items = series.Select(s => "{\"metric\":{\"__name__\":\"" + s.Field + "\",\"Hostname\":\"" + s.Node + "\",\"gpu\":\"" + s.Gpu.ToString(CultureInfo.InvariantCulture)
            + "\",\"UUID\":\"GPU-5a1c0d6e-0000-4f3a-9d7e-00000000000" + s.Gpu.ToString(CultureInfo.InvariantCulture) + "\",\"device\":\"nvidia" + s.Gpu.ToString(CultureInfo.InvariantCulture)
            + "\",\"modelName\":\"NVIDIA A100-SXM4-80GB\",\"instance\":\"10.0.0.5:9400\",\"job\":\"dcgm-exporter\"},\"value\":["
            + (s.At.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture) + ",\"" + s.Value + "\"]}");
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + string.Join(",", items) + "]}}";
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        if (Down)
        {
            throw new HttpRequestException("Connection refused (127.0.0.1:9090)");
        }

        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        var health = HealthBody is not null && request.RequestUri!.Query.Contains("DCGM_FI_DEV_XID_ERRORS", StringComparison.Ordinal);
        return new HttpResponseMessage(Status) { Content = new StringContent(health ? HealthBody! : Body, Encoding.UTF8, "application/json") };
    }
}
