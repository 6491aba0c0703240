using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Telemetry;
using Berth.Runtime.Health;
using Berth.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Telemetry;

/// <summary>GPU health from DCGM's error fields through Prometheus: what marks a GPU, and that bad or missing telemetry marks none.</summary>
public sealed class DcgmHealthTests
{
    private const string Xid = "DCGM_FI_DEV_XID_ERRORS";
    private const string Ecc = "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL";
    private const string Nvlink = "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL";
    private const string Remap = "DCGM_FI_DEV_ROW_REMAP_FAILURE";

    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_DcgmSeries_GiveOneSignalPerGpuAndField_OfTheRightKind()
    {
        var body = CannedPrometheus.Health((Xid, "node-00", 0, "0", Now), (Xid, "node-00", 1, "79", Now), (Ecc, "node-00", 1, "2", Now), (Nvlink, "node-01", 3, "0", Now), (Remap, "node-01", 3, "0", Now));
        var reading = DcgmHealth.Parse(body, Now, TimeSpan.FromMinutes(2));
        Assert.True(reading.Ok);
        Assert.Empty(reading.Dropped);
        Assert.Equal(
            [
                new GpuErrorSignal("node-00/0", Xid, GpuSignalKind.Code, 0), new GpuErrorSignal("node-00/1", Xid, GpuSignalKind.Code, 79),
                new GpuErrorSignal("node-00/1", Ecc, GpuSignalKind.Counter, 2), new GpuErrorSignal("node-01/3", Nvlink, GpuSignalKind.Counter, 0),
                new GpuErrorSignal("node-01/3", Remap, GpuSignalKind.Flag, 0),
            ],
            reading.Signals);
    }

    [Fact]
    public void Parse_BadSeries_AreDroppedByReason_TheGoodOnesKept()
    {
        var body = CannedPrometheus.Health(
            (Xid, "node-00", 0, "79", Now - TimeSpan.FromMinutes(5)),
            (Xid, "node-00", 1, "NaN", Now),
            (Ecc, "node-00", 2, "-1", Now),
            (Ecc, "node-00", 3, "1.5", Now),
            ("DCGM_FI_DEV_GPU_UTIL", "node-00", 4, "50", Now),
            (Xid, "", 5, "79", Now),
            (Xid, "node-00", 6, "48", Now));
        var reading = DcgmHealth.Parse(body, Now, TimeSpan.FromMinutes(2));
        Assert.Equal(new SortedDictionary<string, int> { ["no-gpu-label"] = 1, ["not-a-count"] = 3, ["stale"] = 1, ["unknown-field"] = 1 }, reading.Dropped);
        Assert.Equal([new GpuErrorSignal("node-00/6", Xid, GpuSignalKind.Code, 48)], reading.Signals);
    }

    [Theory]
    [InlineData("not json", "malformed")]
    [InlineData("""{"status":"error","errorType":"bad_data","error":"parse error"}""", "query-error")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[]}}""", "not-a-vector")]
    public void Parse_BadAnswer_Fails_WithNoSignals(string body, string failure)
    {
        var reading = DcgmHealth.Parse(body, Now, TimeSpan.FromMinutes(2));
        Assert.Equal(failure, reading.Failure);
        Assert.Empty(reading.Signals);
    }

    private static (GpuTelemetry Telemetry, CannedPrometheus Prometheus, ManualTime Time, MetricsRegistry Metrics) Telemetry()
    {
        var time = new ManualTime();
        var prometheus = new CannedPrometheus { Body = CannedPrometheus.Vector() };
        var metrics = new MetricsRegistry();
        var options = new TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090"), RecoverAfter = 2 };
        return (new GpuTelemetry(new PrometheusReader(new HttpClient(prometheus), options, time), options, time, NullLogger.Instance, metrics), prometheus, time, metrics);
    }

    [Fact]
    public async Task Refresh_ANewXid_MarksTheGpuOnItsNode_AndCleanReadingsBringItBack()
    {
        var (telemetry, prometheus, time, metrics) = Telemetry();
        prometheus.HealthBody = CannedPrometheus.Health((Xid, "node-00", 0, "0", time.GetUtcNow()), (Xid, "node-00", 3, "0", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.Empty(telemetry.UnhealthyGpus);

        prometheus.HealthBody = CannedPrometheus.Health((Xid, "node-00", 0, "0", time.GetUtcNow()), (Xid, "node-00", 3, "79", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.Equal(1 << 3, telemetry.UnhealthyGpus["node-00"]);
        var change = Assert.Single(telemetry.TakeHealthChanges());
        Assert.Equal(("node-00/3", false, "DCGM_FI_DEV_XID_ERRORS 79"), (change.Gpu, change.Healthy, change.Message));

        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.NotEmpty(telemetry.UnhealthyGpus);
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.Empty(telemetry.UnhealthyGpus);
        Assert.True(Assert.Single(telemetry.TakeHealthChanges()).Healthy);
        Assert.Equal(4, metrics.Value("berth_telemetry_health_reads_total", ("result", "ok")));
    }

    public static TheoryData<string> BadTelemetry => ["Prometheus down", "Prometheus errors", "malformed answer", "stale series", "no series"];

    [Theory]
    [MemberData(nameof(BadTelemetry))]
    public async Task Refresh_BadOrMissingTelemetry_NeitherMarksNorClearsAGpu(string telemetryState)
    {
        var (telemetry, prometheus, time, _) = Telemetry();
        prometheus.HealthBody = CannedPrometheus.Health((Xid, "node-00", 1, "48", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.Equal(1 << 1, telemetry.UnhealthyGpus["node-00"]);
        telemetry.TakeHealthChanges();

        time.Advance(600);
        switch (telemetryState)
        {
            case "Prometheus down":
                prometheus.Down = true;
                break;
            case "Prometheus errors":
                prometheus.Status = System.Net.HttpStatusCode.InternalServerError;
                break;
            case "malformed answer":
                prometheus.HealthBody = "<html>bad gateway</html>";
                break;
            case "stale series":
                prometheus.HealthBody = CannedPrometheus.Health((Xid, "node-00", 1, "0", time.GetUtcNow() - TimeSpan.FromMinutes(10)), (Xid, "node-00", 2, "79", time.GetUtcNow() - TimeSpan.FromMinutes(10)));
                break;
            default:
                prometheus.HealthBody = CannedPrometheus.Health();
                break;
        }

        for (var i = 0; i < 5; i++)
        {
            await telemetry.RefreshAsync(CancellationToken.None);
        }

        Assert.Equal(1 << 1, telemetry.UnhealthyGpus["node-00"]);
        Assert.Empty(telemetry.TakeHealthChanges());
    }
}
