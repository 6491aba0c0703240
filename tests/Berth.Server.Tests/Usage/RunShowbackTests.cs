using System.Net;
using System.Net.Http.Json;
using Berth.Runtime.Yield;
using Berth.Server.Api;
using Berth.Server.Jobs;

namespace Berth.Server.Tests.Usage;

/// <summary>Showback counts every run of a job: a requeued job's earlier runs are charged too, each clipped to the period, across restarts.</summary>
public class RunShowbackTests
{
    private static object Job(string duration) =>
        new JobSpec { Queue = "team-a", Duration = duration, PodSets = [new PodSetSpec { Name = "workers", Count = 1, Gpus = 4, Cpu = 1, MemoryGiB = 4 }] };

    /// <summary>Runs 1 h, is drained; runs 1 h elsewhere, is drained again; runs its 3 h and succeeds: runs [0, 1), [1, 2), [2, 5) hours.</summary>
    private static async Task<(ServerHarness Harness, string Id, DateTimeOffset Start)> DrainedTwiceAsync()
    {
        var h = await ServerHarness.StartAsync();
        var start = h.Time.GetUtcNow();
        var job = await h.SubmitOkAsync(Job("3h"));
        h.Cycle();
        for (var i = 0; i < 2; i++)
        {
            h.Time.Advance(3600);
            var node = (await h.GetAsync(job.Id)).Placement![0].Node;
            foreach (var n in new[] { "node-1", "node-2" })
            {
                using var uncordon = await h.Admin.PostAsync($"api/v1/nodes/{n}/uncordon", null);
                Assert.Equal(HttpStatusCode.OK, uncordon.StatusCode);
            }

            using var drain = await h.Admin.PostAsync($"api/v1/nodes/{node}/drain", null);
            Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
            h.Cycle();
            Assert.Equal(JobState.Running, h.Server.Store.Find(job.Id)!.State);
        }

        h.Time.Advance(3 * 3600);
        h.Cycle();
        Assert.Equal(JobState.Succeeded, h.Server.Store.Find(job.Id)!.State);
        return (h, job.Id, start);
    }

    private static async Task<UsageSummary> UsageAsync(ServerHarness h, DateTimeOffset from, DateTimeOffset to) =>
        (await h.Admin.GetFromJsonAsync<UsageSummary>($"api/v1/usage?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}", ApiJson.Responses))!;

    [Fact]
    public async Task Usage_AJobRequeuedTwice_IsChargedForAllThreeRuns_AsOneJob()
    {
        var (h, id, start) = await DrainedTwiceAsync();
        await using var _ = h;
        var runs = h.Server.Store.Runs(h.Server.Store.Find(id)!);
        Assert.Equal([1, 2, 3], runs.Select(r => r.Number));
        Assert.Equal(["Requeued", "Requeued", "Succeeded"], runs.Select(r => r.Outcome));
        Assert.Equal([0.0, 1, 2], runs.Select(r => (r.Started - start).TotalHours));
        Assert.Equal([1.0, 2, 5], runs.Select(r => (r.Ended!.Value - start).TotalHours));
        Assert.NotEqual(runs[0].Nodes, runs[1].Nodes); // drained off its node each time

        var row = Assert.Single((await UsageAsync(h, start, start.AddDays(1))).Rows);
        Assert.Equal((1, 20.0), (row.Jobs, row.AllocatedGpuHours)); // 4 GPUs x (1 + 1 + 3) h
    }

    [Theory]
    [InlineData(0.5, 3, 10)] // half of run 1, all of run 2, 1 h of run 3: 2.5 h x 4 GPUs
    [InlineData(1, 2, 4)] // exactly run 2: its edges are neither counted twice nor lost
    [InlineData(5, 6, 0)] // after the last run ended
    [InlineData(-1, 0, 0)] // before the first began
    public async Task Usage_ClipsEveryRunToThePeriod(double fromHours, double toHours, double allocated)
    {
        var (h, _, start) = await DrainedTwiceAsync();
        await using var __ = h;
        var usage = await UsageAsync(h, start.AddHours(fromHours), start.AddHours(toHours));
        Assert.Equal(allocated, usage.Rows.Sum(r => r.AllocatedGpuHours), 6);
        Assert.Equal(allocated, usage.Days.Sum(d => d.AllocatedGpuHours), 6);
    }

    [Fact]
    public async Task Restart_WithARunOpen_KeepsItOpenOnce_AndChargesItThrough()
    {
        await using var h = await ServerHarness.StartAsync();
        var start = h.Time.GetUtcNow();
        var job = await h.SubmitOkAsync(Job("3h"));
        h.Cycle();
        h.Time.Advance(3600);
        await h.RestartAsync(); // the simulated executor re-adopts it: still its first run
        h.Cycle();
        var open = Assert.Single(h.Server.Store.Runs(h.Server.Store.Find(job.Id)!));
        Assert.Null(open.Ended);
        Assert.Equal(4.0, (await UsageAsync(h, start, h.Time.GetUtcNow())).Rows.Sum(r => r.AllocatedGpuHours), 6);

        h.Time.Advance(2 * 3600);
        h.Cycle();
        var closed = Assert.Single(h.Server.Store.Runs(h.Server.Store.Find(job.Id)!));
        Assert.Equal(("Succeeded", 3.0), (closed.Outcome, (closed.Ended!.Value - closed.Started).TotalHours));
        Assert.Equal(12.0, (await UsageAsync(h, start, start.AddDays(1))).Rows.Sum(r => r.AllocatedGpuHours), 6);
    }

    [Fact]
    public async Task AStoreWithoutRuns_Migrates_EachJobsLastRunBecomingRunOne()
    {
        await using var h = await ServerHarness.StartAsync();
        var start = h.Time.GetUtcNow();
        var done = await h.SubmitOkAsync(Job("1h"));
        var running = await h.SubmitOkAsync(Job("3h"));
        var waiting = await h.SubmitOkAsync(Job("1h"));
        h.Cycle();
        h.Time.Advance(3600);
        h.Cycle(); // done ends; waiting takes its place
        await h.RestartAsync(between: db =>
        {
            // Back to schema version 1, as an older berth left it.
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DROP TABLE runs; DROP TABLE node_events; DELETE FROM schema_version WHERE version >= 2;";
            cmd.ExecuteNonQuery();
        });

        var store = h.Server.Store;
        Assert.Equal(Berth.Server.Store.Migrations.Latest, store.SchemaVersion);
        var first = Assert.Single(store.Runs(store.Find(done.Id)!));
        Assert.Equal((1, start, start.AddHours(1), "Succeeded"), (first.Number, first.Started, first.Ended, first.Outcome));
        var open = Assert.Single(store.Runs(store.Find(running.Id)!));
        Assert.Equal((1, start, (DateTimeOffset?)null), (open.Number, open.Started, open.Ended));
        Assert.Equal(start.AddHours(1), Assert.Single(store.Runs(store.Find(waiting.Id)!)).Started);

        // A migrated run knows no GPU count or node: the job's request and the cluster's one model count.
        h.Time.Advance(3600);
        var usage = await UsageAsync(h, start, start.AddHours(2));
        var row = Assert.Single(usage.Rows);
        Assert.Equal(("A100", 3, 4.0 + 8.0 + 4.0), (row.GpuModel, row.Jobs, row.AllocatedGpuHours));
    }
}
