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

        return new HttpResponseMessage(Status) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
    }
}
