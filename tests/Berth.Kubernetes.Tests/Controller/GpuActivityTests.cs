using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Telemetry;
using Berth.Kubernetes.Tests.Telemetry;
using Berth.Kubernetes.Views;
using Berth.TestKit;
using Berth.Web;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>Per-GPU yield on the operator: DCGM's per-GPU series (Hostname, gpu) become berth_gpu_activity per held GPU, per-GPU GPU-seconds and the GPU grid's activity.</summary>
public sealed class GpuActivityTests
{
    [Fact]
    public async Task EachHeldGpu_GetsItsOwnActivitySeries_AndTheSeriesGoesWhenTheGpuIsReleased()
    {
        var time = new ManualTime();
        var prometheus = new CannedPrometheus();
        var options = new TelemetryOptions { PrometheusUrl = new Uri("http://prometheus.test:9090"), MaxSampleAge = TimeSpan.FromMinutes(2) };
        var telemetry = new GpuTelemetry(new PrometheusReader(new HttpClient(prometheus), options, time), options, time, NullLogger.Instance, null);
        await using var h = await ControllerHarness.StartAsync(time: time, telemetry: telemetry);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.SeedGroup("train", 1, 1, 2);
        var binding = Assert.Single((await h.CycleAsync()).Bindings);
        var gpus = binding.Annotations[KubernetesNames.GpuIndicesAnnotation].Split(',').Select(int.Parse).ToArray();
        Assert.Equal(2, gpus.Length);

        prometheus.Body = CannedPrometheus.PerGpu(
            (Objects.Ns, "train-0", "node-00", gpus[0], "0.5", time.GetUtcNow()),
            (Objects.Ns, "train-0", "node-00", gpus[1], "0.1", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();
        var job = PendingWorkloads.JobId(Assert.Single(h.Controller.LastPlan!.HeldGpus.Select(g => g.Job).Distinct()));
        Assert.Equal(0.5, h.Metrics.Value("berth_gpu_activity", ("node", "node-00"), ("gpu", gpus[0].ToString(System.Globalization.CultureInfo.InvariantCulture)), ("queue", "team-a"), ("job", job)), 6);
        Assert.Equal(0.1, h.Metrics.Value("berth_gpu_activity", ("node", "node-00"), ("gpu", gpus[1].ToString(System.Globalization.CultureInfo.InvariantCulture)), ("queue", "team-a"), ("job", job)), 6);
        Assert.Equal(2, h.Metrics.Render().Split('\n').Count(l => l.StartsWith("berth_gpu_activity{", StringComparison.Ordinal)));
        Assert.Equal(0.3, h.Metrics.Value("berth_queue_gpus_used", ("queue", "team-a")) / 2, 6); // the pod's activity is the mean of its GPUs'

        var views = new OperatorViews(h.Controller, time);
        var node = Assert.Single(views.Nodes(ViewScope.All));
        Assert.Equal(0.5, node.Gpus[gpus[0]].Activity);
        Assert.Equal(0.1, node.Gpus[gpus[1]].Activity);
        Assert.Equal(6, node.Gpus.Count(g => g.Activity is null));
        var placement = Assert.Single(views.Job(job, ViewScope.All)!.Placement!);
        Assert.Equal([0.5, 0.1], placement.GpuActivity!);

        time.Advance(600);
        prometheus.Body = CannedPrometheus.PerGpu(
            (Objects.Ns, "train-0", "node-00", gpus[0], "0.5", time.GetUtcNow()),
            (Objects.Ns, "train-0", "node-00", gpus[1], "0.1", time.GetUtcNow()));
        await telemetry.RefreshAsync(CancellationToken.None);
        await h.CycleAsync();
        Assert.Equal(600, h.Metrics.Value("berth_gpu_seconds_allocated_total", ("node", "node-00"), ("gpu", gpus[0].ToString(System.Globalization.CultureInfo.InvariantCulture))), 6);
        Assert.Equal(300, h.Metrics.Value("berth_gpu_seconds_used_total", ("node", "node-00"), ("gpu", gpus[0].ToString(System.Globalization.CultureInfo.InvariantCulture))), 6);
        Assert.Equal(60, h.Metrics.Value("berth_gpu_seconds_used_total", ("node", "node-00"), ("gpu", gpus[1].ToString(System.Globalization.CultureInfo.InvariantCulture))), 6);

        await h.Client.CoreV1.DeleteNamespacedPodAsync("train-0", Objects.Ns);
        await h.CycleAsync();
        Assert.DoesNotContain("berth_gpu_activity{", h.Metrics.Render(), StringComparison.Ordinal);
    }
}
