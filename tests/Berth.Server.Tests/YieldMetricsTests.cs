using System.Net.Http.Json;
using Berth.Server.Jobs;
using Berth.Web;

namespace Berth.Server.Tests;

/// <summary>Yield over time on the server's /metrics: GPU-seconds counters per queue, cohort and cluster gauges.</summary>
public class YieldMetricsTests
{
    private static object Job(int gpus, double activity) =>
        new JobSpec { Name = "train", Queue = "team-a", Duration = "10h", GpuActivity = activity, PodSets = [new PodSetSpec { Name = "workers", Count = 1, Gpus = gpus, Cpu = 1, MemoryGiB = 4 }] };

    [Fact]
    public async Task TwoGpusAtAQuarterForAnHour_CountAllocatedUsedAndIdleGpuSeconds_Once()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        await h.SubmitOkAsync(Job(2, 0.25));
        h.Cycle();
        h.Time.Advance(60 * 60);
        h.Cycle();
        h.Cycle();
        using var anonymous = h.Client(null);
        var metrics = await anonymous.GetStringAsync("metrics");
        Assert.Contains("berth_queue_gpu_seconds_allocated_total{queue=\"team-a\"} 7200\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_queue_gpu_seconds_used_total{queue=\"team-a\"} 1800\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_queue_gpu_seconds_idle_allocated_total{queue=\"team-a\"} 5400\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_queue_gpu_seconds_allocated_total{queue=\"team-b\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_queue_gpus_idle_allocated{queue=\"team-a\"} 1.5\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CohortAndClusterGauges_SumTheQueues_AndYieldIsUsedOverCapacity()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        await h.SubmitOkAsync(Job(2, 0.25));
        h.Cycle();
        using var anonymous = h.Client(null);
        var metrics = await anonymous.GetStringAsync("metrics");
        Assert.Contains("berth_cohort_gpus_allocated{cohort=\"all\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_cohort_gpus_used{cohort=\"all\"} 0.5\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_cohort_gpus_idle_allocated{cohort=\"all\"} 1.5\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_gpus_used 0.5\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_gpus_idle_allocated 1.5\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_gpu_allocation_ratio 0.5\n", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_gpu_yield_ratio 0.125\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CohortView_ShowsItsQueuesBusyAndIdleGpus()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        var none = Assert.Single((await h.Admin.GetFromJsonAsync<CohortView[]>("api/v1/cohorts", ApiJson.Responses))!);
        Assert.Null(none.UsedGpus);
        await h.SubmitOkAsync(Job(2, 0.25));
        h.Cycle();
        var cohort = Assert.Single((await h.Admin.GetFromJsonAsync<CohortView[]>("api/v1/cohorts", ApiJson.Responses))!);
        Assert.Equal(0.5, cohort.UsedGpus);
        Assert.Equal(1.5, cohort.IdleGpus);
    }
}
