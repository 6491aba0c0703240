using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Telemetry;
using Berth.Kubernetes.Tests.Telemetry;
using Berth.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>Yield over time on the operator: GPU-seconds counters per queue, cohort and cluster gauges, from DCGM activity (canned Prometheus).</summary>
public sealed class YieldMetricsTests
{
    [Fact]
    public async Task TwoGpusAtAQuarterForAnHour_CountGpuSeconds_AndCohortAndClusterGaugesSumTheQueues()
    {
        var time = new ManualTime();
        var prometheus = new CannedPrometheus();
        var options = new TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090"), MaxSampleAge = TimeSpan.FromMinutes(2) };
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(prometheus), options, time), options, time, NullLogger.Instance, null);
        await using var h = await ControllerHarness.StartAsync(time: time, telemetry: telemetry);
        h.Server.Seed(Objects.Cohort("research"));
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8", cohort: "research"), Objects.Queue("team-b", "a100", "0", cohort: "research"));
        h.SeedGroup("train", 1, 1, 2);
        Assert.Single((await h.CycleAsync()).Bindings);

        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.25", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();
        Assert.Equal(0.5, h.Metrics.Value("berth_cohort_gpus_used", ("cohort", "research")), 6);
        Assert.Equal(1.5, h.Metrics.Value("berth_cohort_gpus_idle_allocated", ("cohort", "research")), 6);
        Assert.Equal(2, h.Metrics.Value("berth_cohort_gpus_allocated", ("cohort", "research")), 6);
        Assert.Equal(0.5, h.Metrics.Value("berth_gpus_used"), 6);
        Assert.Equal(1.5, h.Metrics.Value("berth_gpus_idle_allocated"), 6);
        Assert.Equal(0.0625, h.Metrics.Value("berth_gpu_yield_ratio"), 6);
        var before = (
            Allocated: h.Metrics.Value("berth_queue_gpu_seconds_allocated_total", ("queue", "team-a")),
            Used: h.Metrics.Value("berth_queue_gpu_seconds_used_total", ("queue", "team-a")),
            Idle: h.Metrics.Value("berth_queue_gpu_seconds_idle_allocated_total", ("queue", "team-a")));

        time.Advance(3600);
        prometheus.Body = CannedPrometheus.Vector((Objects.Ns, "train-0", "0.25", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();
        await h.CycleAsync();

        Assert.Equal(7200, h.Metrics.Value("berth_queue_gpu_seconds_allocated_total", ("queue", "team-a")) - before.Allocated, 6);
        Assert.Equal(1800, h.Metrics.Value("berth_queue_gpu_seconds_used_total", ("queue", "team-a")) - before.Used, 6);
        Assert.Equal(5400, h.Metrics.Value("berth_queue_gpu_seconds_idle_allocated_total", ("queue", "team-a")) - before.Idle, 6);
        Assert.Contains("berth_queue_gpu_seconds_used_total{queue=\"team-a\"}", h.Metrics.Render(), StringComparison.Ordinal);
    }
}
