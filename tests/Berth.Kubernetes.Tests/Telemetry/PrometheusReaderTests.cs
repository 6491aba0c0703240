using System.Net;
using Berth.Kubernetes.Telemetry;
using Berth.TestKit;

namespace Berth.Kubernetes.Tests.Telemetry;

public sealed class PrometheusReaderTests
{
    private static readonly Uri Url = new("http://prometheus.test:9090/");

    public sealed record BadAnswer(string Case, HttpStatusCode Status, string Body, string Failure);

    public static TheoryData<BadAnswer> BadAnswers => new()
    {
        new("An HTTP 500 fails the read with its status", HttpStatusCode.InternalServerError, "internal error", "http-500"),
        new("A body that is not JSON is malformed", HttpStatusCode.OK, "<html>proxy error</html>", "malformed"),
        new("JSON cut short is malformed", HttpStatusCode.OK, """{"status":"success","data":{"resultType":"vector","result":[{"metric":""", "malformed"),
        new("JSON without data.result is malformed", HttpStatusCode.OK, """{"status":"success","data":{}}""", "malformed"),
        new("JSON without a status is malformed", HttpStatusCode.OK, """[1,2,3]""", "malformed"),
        new("A query error is reported as such", HttpStatusCode.OK, """{"status":"error","errorType":"bad_data","error":"parse error at char 4"}""", "query-error"),
        new("A range result is not an instant vector", HttpStatusCode.OK, """{"status":"success","data":{"resultType":"matrix","result":[]}}""", "not-a-vector"),
    };

    [Fact]
    public async Task Read_GoodAnswer_GivesEachPodsActivityAndAsksTheDefaultQuery()
    {
        var time = new ManualTime();
        var prometheus = new CannedPrometheus { Body = CannedPrometheus.Vector(("ml", "train-0", "0.75", time.GetUtcNow()), ("ml", "train-1", "0", time.GetUtcNow())) };
        var reader = Reader(prometheus, time);

        var reading = await reader.ReadAsync(CancellationToken.None);

        Assert.True(reading.Ok, reading.FailureMessage);
        Assert.Equal([("ml/train-0", 0.75), ("ml/train-1", 0.0)], reading.Samples.Select(s => (s.Key, s.Activity)));
        Assert.Empty(reading.Dropped);
        var uri = Assert.Single(prometheus.Requests).RequestUri!;
        Assert.Equal("/api/v1/query", uri.AbsolutePath);
        Assert.Equal("?query=" + Uri.EscapeDataString(TelemetryOptions.DefaultQuery), uri.Query);
    }

    [Fact]
    public async Task Read_Empty_GivesNoSamplesAndNoFailure()
    {
        var reader = Reader(new CannedPrometheus { Body = CannedPrometheus.Vector() }, new ManualTime());

        var reading = await reader.ReadAsync(CancellationToken.None);

        Assert.True(reading.Ok);
        Assert.Empty(reading.Samples);
    }

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task Read_BadAnswer_FailsWithAReasonAndNoSamples(BadAnswer bad)
    {
        var reader = Reader(new CannedPrometheus { Status = bad.Status, Body = bad.Body }, new ManualTime());

        var reading = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal(bad.Failure, reading.Failure);
        Assert.Empty(reading.Samples);
        Assert.False(string.IsNullOrEmpty(reading.FailureMessage));
    }

    [Fact]
    public async Task Read_BadValues_AreDroppedByReasonAndTheGoodOnesKept()
    {
        var time = new ManualTime();
        var now = time.GetUtcNow();
        var body = CannedPrometheus.Vector(
            ("ml", "busy", "0.5", now),
            ("ml", "nan", "NaN", now),
            ("ml", "text", "busy", now),
            ("ml", "over", "1.5", now),
            ("ml", "negative", "-0.1", now),
            ("ml", "infinite", "+Inf", now),
            ("ml", "stale", "0.01", now - TimeSpan.FromMinutes(10)));
        body = body.Replace("]}}", ",{\"metric\":{\"gpu\":\"0\"},\"value\":[1,\"0.5\"]}]}}", StringComparison.Ordinal); // a series without pod labels
        var reader = Reader(new CannedPrometheus { Body = body }, time);

        var reading = await reader.ReadAsync(CancellationToken.None);

        Assert.True(reading.Ok);
        Assert.Equal("ml/busy", Assert.Single(reading.Samples).Key);
        Assert.Equal(2, reading.Dropped["not-a-number"]);
        Assert.Equal(3, reading.Dropped["out-of-range"]);
        Assert.Equal(1, reading.Dropped["stale"]);
        Assert.Equal(1, reading.Dropped["no-pod-label"]);
    }

    [Fact]
    public async Task Read_ExportedLabels_NameTheWorkloadPodNotTheExporter()
    {
        var time = new ManualTime();
        var stamp = time.GetUtcNow().ToUnixTimeSeconds();
        var body = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"gpu-operator","pod":"dcgm-exporter-x1","exported_namespace":"ml","exported_pod":"train-0"},"value":[STAMP,"0.25"]}]}}""".Replace("STAMP", stamp.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var reader = Reader(new CannedPrometheus { Body = body }, time);

        var sample = Assert.Single((await reader.ReadAsync(CancellationToken.None)).Samples);

        Assert.Equal("ml/train-0", sample.Key);
        Assert.Equal(0.25, sample.Activity);
    }

    [Fact]
    public async Task Read_PercentWithScale_GivesAShare()
    {
        var time = new ManualTime();
        var prometheus = new CannedPrometheus { Body = CannedPrometheus.Vector(("ml", "train-0", "42", time.GetUtcNow())) };
        var reader = new PrometheusReader(new HttpClient(prometheus), new TelemetryOptions { PrometheusUrl = Url, Query = "avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL)", Scale = 0.01 }, time);

        var sample = Assert.Single((await reader.ReadAsync(CancellationToken.None)).Samples);

        Assert.Equal(0.42, sample.Activity, 10);
        Assert.Contains("DCGM_FI_DEV_GPU_UTIL", Uri.UnescapeDataString(prometheus.Requests[0].RequestUri!.Query), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_PrometheusDown_FailsAsUnreachable()
    {
        var reader = Reader(new CannedPrometheus { Down = true }, new ManualTime());

        var reading = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal("unreachable", reading.Failure);
    }

    [Fact]
    public async Task Read_PrometheusHangs_FailsAsTimeoutOnTheInjectedClock()
    {
        // The read's timeout runs on the TimeProvider it is given: this one fires at once, so no test waits on the wall clock.
        var reader = new PrometheusReader(new HttpClient(new CannedPrometheus { Hang = true }), new TelemetryOptions { PrometheusUrl = Url, Timeout = TimeSpan.FromTicks(1) }, TimeProvider.System);

        var reading = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal("timeout", reading.Failure);
    }

    [Fact]
    public async Task Read_TokenFile_IsSentAsBearer()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "s3cret\n");
            var prometheus = new CannedPrometheus();
            var reader = new PrometheusReader(new HttpClient(prometheus), new TelemetryOptions { PrometheusUrl = Url, BearerTokenFile = file }, new ManualTime());

            Assert.True((await reader.ReadAsync(CancellationToken.None)).Ok);

            Assert.Equal("Bearer s3cret", prometheus.Requests[0].Headers.Authorization?.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Read_TokenFileGone_FailsWithoutAsking()
    {
        var prometheus = new CannedPrometheus();
        var reader = new PrometheusReader(new HttpClient(prometheus), new TelemetryOptions { PrometheusUrl = Url, BearerTokenFile = "/nonexistent/berth-token" }, new ManualTime());

        var reading = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal("token", reading.Failure);
        Assert.Empty(prometheus.Requests);
    }

    [Theory]
    [InlineData("ftp://prometheus:9090", "PrometheusUrl")]
    [InlineData("http://prometheus:9090", "Scale")]
    public void Options_BadValue_AreRefusedNamingTheField(string url, string field)
    {
        var options = new TelemetryOptions { PrometheusUrl = new Uri(url), Scale = field == "Scale" ? 0 : 1 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(field, error.ParamName);
    }

    private static PrometheusReader Reader(CannedPrometheus prometheus, TimeProvider time) =>
        new(new HttpClient(prometheus), new TelemetryOptions { PrometheusUrl = Url }, time);
}
