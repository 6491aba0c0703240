using Berth.Engine.Admission;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Telemetry;

/// <summary>The reader against a real Prometheus 2.x scraping DCGM-format metrics (see <see cref="PrometheusFixture"/>).</summary>
public sealed class RealPrometheusTests(PrometheusFixture prometheus) : IClassFixture<PrometheusFixture>
{
    [Fact]
    public async Task Read_ThroughRealPrometheus_GivesEachPodsMeanEngineActivity()
    {
        var options = new TelemetryOptions { PrometheusUrl = prometheus.Url };
        var metrics = new MetricsRegistry();
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(), options, TimeProvider.System), options, TimeProvider.System, NullLogger.Instance, metrics);

        var activity = await ScrapedAsync(telemetry);

        Assert.Equal(0.02, activity["ml/train-0"], 6);
        Assert.Equal(0.9, activity["ml/train-1"], 6); // two GPUs, 0.8 and 1.0
        Assert.Equal(2, activity.Count);
        Assert.Equal(0, metrics.Value("berth_telemetry_samples_dropped_total", ("reason", "stale")));

        // The default query keeps DCGM's Hostname and gpu through Prometheus: each GPU's own activity.
        var byGpu = telemetry.ActivityByGpu();
        Assert.Equal([("node-00/0", 0.02), ("node-00/1", 0.8), ("node-00/2", 1.0)], byGpu.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, Math.Round(g.Value, 6))).ToArray());
    }

    [Fact]
    public async Task ReadHealth_ThroughRealPrometheus_MarksTheGpuWithAnXidOnItsNode()
    {
        var options = new TelemetryOptions { PrometheusUrl = prometheus.Url };
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(), options, TimeProvider.System), options, TimeProvider.System, NullLogger.Instance, null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        TelemetryReading reading;
        do
        {
            reading = await telemetry.RefreshHealthAsync(CancellationToken.None);
            Assert.True(reading.Ok, reading.FailureMessage);
            await Task.Delay(reading.Signals.Count == 4 ? 0 : 250);
        }
        while (reading.Signals.Count < 4 && DateTime.UtcNow < deadline);

        Assert.Empty(reading.Dropped);
        Assert.Equal(["node-00/0", "node-00/0", "node-00/1", "node-00/2"], reading.Signals.Select(s => s.Gpu).Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<string, int> { ["node-00"] = 1 << 1 }, telemetry.UnhealthyGpus);
        Assert.Equal("DCGM_FI_DEV_XID_ERRORS 79", Assert.Single(telemetry.TakeHealthChanges()).Message);
    }

    [Fact]
    public async Task Read_GpuUtilPercentWithScale_GivesTheSameShares()
    {
        var options = new TelemetryOptions { PrometheusUrl = prometheus.Url, Query = "avg by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL)", Scale = 0.01 };
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(), options, TimeProvider.System), options, TimeProvider.System, NullLogger.Instance, null);

        var activity = await ScrapedAsync(telemetry);

        Assert.Equal(0.02, activity["ml/train-0"], 6);
        Assert.Equal(0.9, activity["ml/train-1"], 6);
    }

    [Fact]
    public async Task Controller_ThroughRealPrometheus_FindsTheNearlyIdleJobIdle()
    {
        // Prometheus stamps samples with the real time; the controller's clock runs 11 minutes ahead of it, so the
        // Job admitted "now" has held its GPUs past the queue's 10 minutes when the sample is read (max age 1 h).
        var time = new ShiftedTime();
        var options = new TelemetryOptions { PrometheusUrl = prometheus.Url, MaxSampleAge = TimeSpan.FromHours(1) };
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(), options, time), options, time, NullLogger.Instance, null);
        await using var h = await ControllerHarness.StartAsync(time: time, telemetry: telemetry);
        var queue = Objects.Queue("team-a", "a100", "8");
        queue.Spec = queue.Spec with { IdleGpus = new IdleGpusSpec { After = "10m", Below = 0.05, Action = "Notify" } };
        h.SeedCluster(1, 8, queue);
        h.Server.Seed(Objects.Job("train", 1, 1, "team-a", ns: "ml"));
        Assert.Single((await h.CycleAsync()).JobAdmissions);
        await h.ActAsJobControllerAsync();
        time.Shift = TimeSpan.FromMinutes(11);
        Assert.Contains("ml/train-0", (await ScrapedAsync(telemetry)).Keys);

        var plan = await h.CycleAsync();

        var idle = Assert.Single(plan.Events, e => e.Reason == IdleGpus.IdleReason);
        Assert.Equal("train", idle.About.Name);
        Assert.Contains("GPU activity 2 %", idle.Message, StringComparison.Ordinal);
    }

    /// <summary>The system clock moved by <see cref="Shift"/>.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
    }

    /// <summary>Reads until Prometheus has scraped the exporter once (it scrapes every second), at most 20 s.</summary>
    private static async Task<IReadOnlyDictionary<string, double>> ScrapedAsync(GpuTelemetry telemetry)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var reading = await telemetry.RefreshAsync(CancellationToken.None);
            Assert.True(reading.Ok, reading.FailureMessage);
            var activity = telemetry.ActivityByPod();
            if (activity.Count > 0 || DateTime.UtcNow > deadline)
            {
                return activity;
            }

            await Task.Delay(250);
        }
    }
}
