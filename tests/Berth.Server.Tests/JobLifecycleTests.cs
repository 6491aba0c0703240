using System.Net;
using System.Net.Http.Json;
using Berth.Server.Api;
using Berth.Server.Jobs;

namespace Berth.Server.Tests;

public class JobLifecycleTests
{
    [Fact]
    public async Task Submit_RunsForItsDurationOnTheServerClock_ThenSucceeds()
    {
        await using var h = await ServerHarness.StartAsync();
        var job = await h.SubmitOkAsync(ServerHarness.Job(gpus: 2, pods: 2, duration: "10m"));
        Assert.Equal(JobState.Pending, job.State);

        h.Cycle();
        var running = await h.GetAsync(job.Id);
        Assert.Equal(JobState.Running, running.State);
        Assert.NotNull(running.StartedAt);
        Assert.Equal(2, running.Placement!.Count);
        Assert.All(running.Placement, p => Assert.Equal(2, p.Gpus.Count));

        h.Time.Advance(9 * 60);
        h.Cycle();
        Assert.Equal(JobState.Running, (await h.GetAsync(job.Id)).State);

        h.Time.Advance(60);
        h.Cycle();
        var done = await h.GetAsync(job.Id);
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(["Submitted", "Admitted", "Started", "Succeeded"], done.Events!.Select(e => e.Kind).ToArray());
        Assert.Empty(h.GpuHolds());
    }

    [Fact]
    public async Task WaitingJob_ShowsItsReasonAndPlaceInQueue()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        var first = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        var second = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        var third = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        h.Cycle();

        Assert.Equal(JobState.Running, (await h.GetAsync(first.Id)).State);
        var waiting = await h.GetAsync(second.Id);
        Assert.Equal(JobState.Pending, waiting.State);
        Assert.NotNull(waiting.Pending);
        Assert.False(string.IsNullOrEmpty(waiting.Pending!.Code));
        Assert.Equal(1, waiting.QueuePosition);
        Assert.Equal(2, (await h.GetAsync(third.Id)).QueuePosition);
    }

    [Fact]
    public async Task Cancel_FreesTheGpusOfARunningJob_AndASecondCancelIsAConflict()
    {
        await using var h = await ServerHarness.StartAsync();
        var job = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        h.Cycle();
        Assert.Equal(4, h.GpuHolds().Count);

        using var cancel = await h.Admin.DeleteAsync($"api/v1/jobs/{job.Id}");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Empty(h.GpuHolds());
        var nodes = await h.Admin.GetFromJsonAsync<NodeView[]>("api/v1/nodes", ApiJson.Responses);
        Assert.All(nodes!.SelectMany(n => n.Gpus), g => Assert.Empty(g.HeldBy));

        using var again = await h.Admin.DeleteAsync($"api/v1/jobs/{job.Id}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(JobState.Cancelled, (await h.GetAsync(job.Id)).State);
    }

    [Fact]
    public async Task Nodes_ShowWhichJobHoldsEachGpu()
    {
        await using var h = await ServerHarness.StartAsync();
        var job = await h.SubmitOkAsync(ServerHarness.Job(gpus: 3));
        h.Cycle();
        var nodes = await h.Admin.GetFromJsonAsync<NodeView[]>("api/v1/nodes", ApiJson.Responses);
        var held = nodes!.SelectMany(n => n.Gpus).Where(g => g.HeldBy.Count > 0).ToArray();
        Assert.Equal(3, held.Length);
        Assert.All(held, g => Assert.Equal(job.Id, Assert.Single(g.HeldBy).Job));
    }

    [Fact]
    public async Task Hold_KeepsAJobOutUntilReleased()
    {
        await using var h = await ServerHarness.StartAsync();
        var job = await h.SubmitOkAsync(ServerHarness.Job());
        using (var hold = await h.Admin.PostAsync($"api/v1/jobs/{job.Id}/hold", null))
        {
            Assert.Equal(HttpStatusCode.OK, hold.StatusCode);
        }

        h.Cycle();
        var held = await h.GetAsync(job.Id);
        Assert.Equal(JobState.Held, held.State);
        Assert.Equal("Held", held.Pending!.Code);

        using (var release = await h.Admin.PostAsync($"api/v1/jobs/{job.Id}/release", null))
        {
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        h.Cycle();
        Assert.Equal(JobState.Running, (await h.GetAsync(job.Id)).State);
    }

    [Fact]
    public async Task Queues_ShowUsageQuotaAndPendingCount()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        h.Cycle();
        var queues = await h.Admin.GetFromJsonAsync<QueueView[]>("api/v1/queues", ApiJson.Responses);
        var a = queues!.Single(q => q.Name == "team-a");
        Assert.Equal(1, a.Pending);
        Assert.Equal(1, a.Running);
        var gpu = a.Quota.Single(q => q.Resource == "gpu");
        Assert.Equal(2, gpu.Nominal);
        Assert.Equal(4, gpu.Used); // borrowed from team-b through the cohort
    }

    [Fact]
    public async Task List_PagesInSubmitOrder_AndFiltersByState()
    {
        await using var h = await ServerHarness.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await h.SubmitOkAsync(ServerHarness.Job(gpus: 1))).Id);
        }

        var seen = new List<string>();
        string? next = null;
        do
        {
            var page = await h.Admin.GetFromJsonAsync<JobList>($"api/v1/jobs?limit=3{(next is null ? string.Empty : "&after=" + next)}", ApiJson.Responses);
            seen.AddRange(page!.Items.Select(j => j.Id));
            Assert.Equal(7, page.Total);
            next = page.Next;
        }
        while (next is not null);

        Assert.Equal(ids, seen);
        h.Cycle();
        var running = await h.Admin.GetFromJsonAsync<JobList>("api/v1/jobs?state=running", ApiJson.Responses);
        Assert.Equal(7, running!.Items.Count);
        Assert.All(running.Items, j => Assert.Equal(JobState.Running, j.State));
    }

    [Fact]
    public async Task IdempotencyKey_ReturnsTheSameJob_AndStoresItOnce()
    {
        await using var h = await ServerHarness.StartAsync();
        using var first = await h.SubmitAsync(ServerHarness.Job(), key: "retry-1");
        using var second = await h.SubmitAsync(ServerHarness.Job(), key: "retry-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses);
        var b = await second.Content.ReadFromJsonAsync<JobView>(ApiJson.Responses);
        Assert.Equal(a!.Id, b!.Id);
        Assert.Equal(1, h.Server.Store.Count);
    }

    [Fact]
    public async Task HealthReadinessMetricsAndOpenApi_AreServed()
    {
        await using var h = await ServerHarness.StartAsync();
        await h.SubmitOkAsync(ServerHarness.Job());
        h.Cycle();
        using var anonymous = h.Client(null);
        Assert.Equal("ok", await anonymous.GetStringAsync("healthz"));
        Assert.Equal("ready", await anonymous.GetStringAsync("readyz"));
        var metrics = await anonymous.GetStringAsync("metrics");
        Assert.Contains("berth_jobs{state=\"Running\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("berth_jobs_submitted_total{queue=\"team-a\"} 1", metrics, StringComparison.Ordinal);
        using (await anonymous.GetAsync("api/v1/jobs"))
        {
        }

        Assert.Contains("berth_api_refused_total{status=\"401\"} 1", await anonymous.GetStringAsync("metrics"), StringComparison.Ordinal);
        var openapi = await anonymous.GetStringAsync("openapi/v1.json");
        Assert.Contains("\"/api/v1/jobs\"", openapi, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/jobs/{id}\"", openapi, StringComparison.Ordinal);
    }
}
