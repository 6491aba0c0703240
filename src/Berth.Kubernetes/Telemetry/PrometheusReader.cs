using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Berth.Kubernetes.Telemetry;

/// <summary>
/// Reads GPU activity per pod from a Prometheus server's HTTP API (<c>GET /api/v1/query</c>, an instant query).
/// Never throws for what the server does: down, slow, an error status, malformed JSON, values that are not numbers,
/// are out of 0..1 or are older than <see cref="TelemetryOptions.MaxSampleAge"/> all end as a failed reading or
/// dropped samples, so the worst telemetry can do is leave activity unknown (never idle).
/// </summary>
public sealed class PrometheusReader
{
    /// <summary>Label pairs that name the pod a series belongs to, preferred first: DCGM exporter's own labels renamed
    /// by a scrape without <c>honor_labels</c> (where <c>namespace</c>/<c>pod</c> then name the exporter's pod), then the plain ones.</summary>
    private static readonly (string Namespace, string Pod)[] PodLabels = [("exported_namespace", "exported_pod"), ("namespace", "pod")];

    private readonly HttpClient _http;
    private readonly TelemetryOptions _options;
    private readonly TimeProvider _time;

    public PrometheusReader(HttpClient http, TelemetryOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _http = http;
        _options = options;
        _time = time;
    }

    /// <summary>The query's URL: <c>{url}/api/v1/query?query=...</c> (a path prefix on the URL is kept).</summary>
    public Uri QueryUri => UriOf(_options.Query);

    /// <summary>One activity query. Cancelled only by <paramref name="cancellationToken"/>; everything else is in the reading.</summary>
    public async Task<TelemetryReading> ReadAsync(CancellationToken cancellationToken)
    {
        var (body, failed) = await FetchAsync(_options.Query, cancellationToken).ConfigureAwait(false);
        return failed ?? Parse(body!, _options.Scale, _time.GetUtcNow(), _options.MaxSampleAge);
    }

    /// <summary>One health query (<see cref="TelemetryOptions.HealthQuery"/>, which must be set); failures are in the reading.</summary>
    public async Task<TelemetryReading> ReadHealthAsync(CancellationToken cancellationToken)
    {
        var query = _options.HealthQuery ?? throw new InvalidOperationException("no health query: set TelemetryOptions.HealthQuery");
        var (body, failed) = await FetchAsync(query, cancellationToken).ConfigureAwait(false);
        return failed ?? DcgmHealth.Parse(body!, _time.GetUtcNow(), _options.MaxSampleAge);
    }

    /// <summary>The URL of <paramref name="query"/>: <c>{url}/api/v1/query?query=...</c> (a path prefix on the URL is kept).</summary>
    public Uri UriOf(string query) => new(_options.PrometheusUrl.AbsoluteUri.TrimEnd('/') + "/api/v1/query?query=" + Uri.EscapeDataString(query));

    /// <summary>The answer's body, or a failed reading saying why there is none.</summary>
    private async Task<(string? Body, TelemetryReading? Failed)> FetchAsync(string query, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, UriOf(query));
            if (_options.BearerTokenFile is { } file)
            {
                string token;
                try
                {
                    token = (await File.ReadAllTextAsync(file, linked.Token).ConfigureAwait(false)).Trim();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return (null, TelemetryReading.Failed("token", $"cannot read the bearer token file {file}: {e.Message}"));
                }

                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var code = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                return (null, TelemetryReading.Failed("http-" + code, $"Prometheus answered {code} {response.ReasonPhrase}: {Shorten(body)}"));
            }

            return (body, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, TelemetryReading.Failed("timeout", $"Prometheus did not answer within {_options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"));
        }
        catch (HttpRequestException e)
        {
            return (null, TelemetryReading.Failed("unreachable", $"Prometheus at {_options.PrometheusUrl} cannot be reached: {e.Message}"));
        }
    }

    /// <summary>
    /// Reads a Prometheus query answer (<c>{"status":"success","data":{"resultType":"vector","result":[...]}}</c>) as
    /// samples: each value times <paramref name="scale"/>, kept when it is a number from 0 to 1, names a pod and is no
    /// older than <paramref name="maxAge"/> at <paramref name="now"/>.
    /// </summary>
    public static TelemetryReading Parse(string body, double scale, DateTimeOffset now, TimeSpan maxAge)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (Vector(body, out var document, out var result) is { } failed)
        {
            return failed;
        }

        using (document)
        {
            var samples = new List<GpuActivitySample>();
            var dropped = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var series in result.EnumerateArray())
            {
                var reason = Sample(series, scale, now, maxAge, out var sample);
                if (sample is not null)
                {
                    samples.Add(sample);
                }
                else
                {
                    dropped[reason!] = dropped.GetValueOrDefault(reason!) + 1;
                }
            }

            return new TelemetryReading { Samples = samples, Dropped = dropped };
        }
    }

    /// <summary>
    /// The series of an instant-vector answer (<c>{"status":"success","data":{"resultType":"vector","result":[...]}}</c>),
    /// or a failed reading saying what is wrong with it. The caller disposes <paramref name="document"/>.
    /// </summary>
    internal static TelemetryReading? Vector(string body, out JsonDocument? document, out JsonElement result)
    {
        result = default;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            document = null;
            return TelemetryReading.Failed("malformed", $"Prometheus's answer is not JSON ({e.Message}): {Shorten(body)}");
        }

        var root = document.RootElement;
        TelemetryReading? failed = null;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String)
        {
            failed = TelemetryReading.Failed("malformed", $"Prometheus's answer has no status: {Shorten(body)}");
        }
        else if (status.GetString() != "success")
        {
            var error = root.TryGetProperty("error", out var e) ? e.ToString() : "no error given";
            failed = TelemetryReading.Failed("query-error", $"Prometheus refused the query: {error}; check the telemetry query");
        }
        else if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("resultType", out var type) || !data.TryGetProperty("result", out result) || result.ValueKind != JsonValueKind.Array)
        {
            failed = TelemetryReading.Failed("malformed", $"Prometheus's answer has no data.result list: {Shorten(body)}");
        }
        else if (type.ValueKind != JsonValueKind.String || type.GetString() != "vector")
        {
            failed = TelemetryReading.Failed("not-a-vector", $"the query gives a {type} where Berth needs an instant vector");
        }

        if (failed is not null)
        {
            document.Dispose();
            document = null;
        }

        return failed;
    }

    /// <summary>One series as a sample, or why it is dropped.</summary>
    private static string? Sample(JsonElement series, double scale, DateTimeOffset now, TimeSpan maxAge, out GpuActivitySample? sample)
    {
        sample = null;
        if (series.ValueKind != JsonValueKind.Object || !series.TryGetProperty("metric", out var metric) || metric.ValueKind != JsonValueKind.Object
            || !series.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
        {
            return "malformed";
        }

        string? ns = null, pod = null;
        foreach (var (nsLabel, podLabel) in PodLabels)
        {
            if (Label(metric, nsLabel) is { } n && Label(metric, podLabel) is { } p)
            {
                (ns, pod) = (n, p);
                break;
            }
        }

        if (ns is null || pod is null)
        {
            return "no-pod-label";
        }

        var stamp = value[0];
        var text = value[1];
        if (stamp.ValueKind != JsonValueKind.Number || !stamp.TryGetDouble(out var seconds) || text.ValueKind != JsonValueKind.String)
        {
            return "malformed";
        }

        var number = text.GetString();
        if (number is "+Inf" or "-Inf" or "Inf")
        {
            return "out-of-range"; // Prometheus's spelling of infinities, which .NET does not parse
        }

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var raw) || double.IsNaN(raw))
        {
            return "not-a-number";
        }

        var activity = raw * scale;
        if (!(activity >= 0 && activity <= 1))
        {
            return "out-of-range";
        }

        var at = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
        if (now - at > maxAge)
        {
            return "stale";
        }

        sample = new GpuActivitySample(ns, pod, activity, at)
        {
            Node = Label(metric, "Hostname"),
            Gpu = int.TryParse(Label(metric, "gpu"), NumberStyles.None, CultureInfo.InvariantCulture, out var gpu) ? gpu : null,
        };
        return null;
    }

    private static string? Label(JsonElement metric, string name) =>
        metric.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    internal static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
