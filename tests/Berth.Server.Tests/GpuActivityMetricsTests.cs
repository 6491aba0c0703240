using System.Net.Http.Json;
using Berth.Server.Jobs;
using Berth.Web;

namespace Berth.Server.Tests;

/// <summary>Per-GPU yield on the server: berth_gpu_activity per held GPU (gone once released), per-GPU GPU-seconds, and the GPU grid's activity.</summary>
public class GpuActivityMetricsTests
{
    private static object Job(string name, int gpus, double activity, string duration) =>
        new JobSpec { Name = name, Queue = "team-a", Duration = duration, GpuActivity = activity, PodSets = [new PodSetSpec { Name = "workers", Count = 1, Gpus = gpus, Cpu = 1, MemoryGiB = 4 }] };

    [Fact]
    public async Task HeldGpus_HaveOneActivitySeriesEach_CountPerGpuSeconds_AndLoseTheSeriesWhenReleased()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        var job = await h.SubmitOkAsync(Job("train", 2, 0.25, "1h"));
        h.Cycle();
        using var anonymous = h.Client(null);
        var metrics = await anonymous.GetStringAsync("metrics");
        var series = metrics.Split('\n').Where(l => l.StartsWith("berth_gpu_activity{", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, series.Length);
        Assert.Contains($"berth_gpu_activity{{node=\"node-1\",gpu=\"0\",queue=\"team-a\",job=\"{job.Id}\"}} 0.25", series);
        Assert.Contains($"berth_gpu_activity{{node=\"node-1\",gpu=\"1\",queue=\"team-a\",job=\"{job.Id}\"}} 0.25", series);

        var nodes = (await h.Admin.GetFromJsonAsync<NodeView[]>("api/v1/nodes", ApiJson.Responses))!;
        Assert.Equal([0.25, 0.25, null, null], nodes[0].Gpus.Select(g => g.Activity).ToArray());
        var view = (await h.Admin.GetFromJsonAsync<JobView>($"api/v1/jobs/{job.Id}", ApiJson.Responses))!;
        Assert.Equal([0.25, 0.25], Assert.Single(view.Placement!).GpuActivity!);

        h.Time.Advance(30 * 60);
        h.Cycle();
        h.Time.Advance(30 * 60);
        h.Cycle();
        h.Cycle();
        metrics = await anonymous.GetStringAsync("metrics");
        Assert.DoesNotContain("berth_gpu_activity{", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_gpu_seconds_allocated_total{node=\"node-1\",gpu=\"0\"} 3600\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_gpu_seconds_used_total{node=\"node-1\",gpu=\"1\"} 900\n", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("berth_gpu_seconds_allocated_total{node=\"node-1\",gpu=\"2\"}", metrics, StringComparison.Ordinal);
    }
}
