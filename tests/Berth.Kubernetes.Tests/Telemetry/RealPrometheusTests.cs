using Berth.Kubernetes.Operator;
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
