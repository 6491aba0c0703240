using Berth.Model.Queueing;
using Berth.Server.Jobs;
using Berth.Server.Loop;

namespace Berth.Server.Tests;

/// <summary>A queue's idle-GPU policy on the server: a job's stated GPU activity (simulated nodes) makes it idle.</summary>
public class IdleGpuTests
{
    private static ServerCluster Cluster(IdleAction action)
    {
        var small = ServerHarness.SmallCluster(nodes: 1, gpus: 4);
        var policy = new IdleGpuPolicy { After = TimeSpan.FromMinutes(10), Below = 0.05, Action = action, Grace = TimeSpan.FromMinutes(5) };
        return small with { Configuration = small.Configuration with { Queues = small.Configuration.Queues.Select(q => q with { IdleGpus = policy }).ToArray() } };
    }

    private static object Job(double activity) =>
        new JobSpec { Name = "notebook", Queue = "team-a", Duration = "10h", GpuActivity = activity, PodSets = [new PodSetSpec { Name = "workers", Count = 1, Gpus = 4, Cpu = 1, MemoryGiB = 4 }] };

    [Fact]
    public async Task Reclaim_IdleJob_IsReportedThenStoppedAndItsGpusGoToTheNext()
    {
        await using var h = await ServerHarness.StartAsync(Cluster(IdleAction.Reclaim));
        var idle = await h.SubmitOkAsync(Job(0.01));
        var next = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        h.Cycle();
        Assert.Equal(JobState.Running, (await h.GetAsync(idle.Id)).State);

        h.Time.Advance(11 * 60);
        h.Cycle();
        var reported = await h.GetAsync(idle.Id);
        Assert.Equal(JobState.Running, reported.State);
        Assert.Contains(reported.Events!, e => e.Kind == "Idle");

        h.Time.Advance(5 * 60);
        h.Cycle();
        h.Cycle();
        var stopped = await h.GetAsync(idle.Id);
        Assert.Equal(JobState.Failed, stopped.State);
        Assert.Contains(stopped.Events!, e => e.Kind == "Stopped" && e.Message.Contains("IdleGpuReclaimed", StringComparison.Ordinal));
        Assert.Single(stopped.Events!, e => e.Kind == "Idle");
        Assert.Equal(JobState.Running, (await h.GetAsync(next.Id)).State);
    }

    [Fact]
    public async Task Reclaim_BusyJob_KeepsRunning()
    {
        await using var h = await ServerHarness.StartAsync(Cluster(IdleAction.Reclaim));
        var busy = await h.SubmitOkAsync(Job(0.5));
        h.Cycle();
        h.Time.Advance(60 * 60);
        h.Cycle();
        var job = await h.GetAsync(busy.Id);
        Assert.Equal(JobState.Running, job.State);
        Assert.DoesNotContain(job.Events!, e => e.Kind is "Idle" or "Stopped");
    }

    [Fact]
    public async Task Metrics_ShowAllocatedAndUsedGpusPerQueue_AndTheJobShowsItsActivity()
    {
        await using var h = await ServerHarness.StartAsync(Cluster(IdleAction.Notify));
        var job = await h.SubmitOkAsync(Job(0.25));
        h.Cycle();
        using var anonymous = h.Client(null);
        var metrics = await anonymous.GetStringAsync("metrics");
        Assert.Contains("berth_queue_gpus_allocated{queue=\"team-a\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_queue_gpus_used{queue=\"team-a\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_queue_gpus_used{queue=\"team-b\"} 0", metrics, StringComparison.Ordinal);
        Assert.Equal(0.25, (await h.GetAsync(job.Id)).GpuActivity);
    }

    [Fact]
    public async Task Submit_ActivityOutOfRange_IsRefusedNamingTheField()
    {
        await using var h = await ServerHarness.StartAsync(Cluster(IdleAction.Notify));
        using var response = await h.Admin.PostAsync("api/v1/jobs", System.Net.Http.Json.JsonContent.Create(Job(1.5), options: ApiJson.Requests));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("gpuActivity", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(h.Server.Store.All());
    }
}
