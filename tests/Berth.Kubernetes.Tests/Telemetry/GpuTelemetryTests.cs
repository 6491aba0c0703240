using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Telemetry;
using Berth.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Telemetry;

public sealed class GpuTelemetryTests
{
    [Fact]
    public async Task Refresh_FailedRead_KeepsTheLastSamplesUntilTheyAreTooOld()
    {
        var time = new ManualTime();
        var prometheus = new CannedPrometheus { Body = CannedPrometheus.Vector(("ml", "train-0", "0.2", time.GetUtcNow()), ("ml", "train-0", "0.4", time.GetUtcNow())) };
        var metrics = new MetricsRegistry();
        var options = new TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090"), MaxSampleAge = TimeSpan.FromMinutes(2) };
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(prometheus), options, time), options, time, NullLogger.Instance, metrics);

        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.Equal(0.3, telemetry.ActivityByPod()["ml/train-0"], 10); // two GPUs of one pod: their mean

        prometheus.Down = true;
        time.Advance(60);
        await telemetry.RefreshAsync(CancellationToken.None);
        Assert.True(telemetry.ActivityByPod().ContainsKey("ml/train-0"), "a sample a minute old is still used while Prometheus is down");

        time.Advance(61);
        Assert.Empty(telemetry.ActivityByPod()); // past the maximum age: unknown, never idle
        Assert.Equal(1, metrics.Value("berth_telemetry_reads_total", ("result", "unreachable")));
        Assert.Equal(1, metrics.Value("berth_telemetry_reads_total", ("result", "ok")));
    }

    [Fact]
    public async Task Refresh_DroppedSamples_AreCountedByReason()
    {
        var time = new ManualTime();
        var prometheus = new CannedPrometheus { Body = CannedPrometheus.Vector(("ml", "a", "NaN", time.GetUtcNow()), ("ml", "b", "7", time.GetUtcNow())) };
        var metrics = new MetricsRegistry();
        var options = new TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090") };
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(prometheus), options, time), options, time, NullLogger.Instance, metrics);

        await telemetry.RefreshAsync(CancellationToken.None);

        Assert.Empty(telemetry.ActivityByPod());
        Assert.Equal(1, metrics.Value("berth_telemetry_samples_dropped_total", ("reason", "not-a-number")));
        Assert.Equal(1, metrics.Value("berth_telemetry_samples_dropped_total", ("reason", "out-of-range")));
    }
}
