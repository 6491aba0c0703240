using System.Net;
using System.Net.Http.Json;
using Berth.Server.Api;
using Berth.Server.Jobs;

namespace Berth.Server.Tests;

/// <summary>Admins edit queues through the API: weight, stop policy, GPU quota; kept across a restart; a 4xx changes nothing.</summary>
public class QueueEditTests
{
    private static async Task<HttpResponseMessage> PatchAsync(HttpClient client, string queue, object body) =>
        await client.PatchAsync($"api/v1/queues/{queue}", JsonContent.Create(body));

    private static async Task<QueueView> QueueAsync(ServerHarness h, string name) =>
        (await h.Admin.GetFromJsonAsync<QueueView[]>("api/v1/queues", ApiJson.Responses))!.Single(q => q.Name == name);

    [Fact]
    public async Task Hold_KeepsNewJobsWaiting_AndNoneLetsThemRun()
    {
        await using var h = await ServerHarness.StartAsync();
        using (var hold = await PatchAsync(h.Admin, "team-a", new { stopPolicy = "Hold" }))
        {
            Assert.Equal(HttpStatusCode.OK, hold.StatusCode);
        }

        var job = await h.SubmitOkAsync(ServerHarness.Job(gpus: 1));
        h.Cycle();
        var waiting = await h.GetAsync(job.Id);
        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Equal("QueueHeld", waiting.Pending!.Code);

        using (var release = await PatchAsync(h.Admin, "team-a", new { stopPolicy = "None" }))
        {
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        h.Cycle();
        Assert.Equal(JobState.Running, (await h.GetAsync(job.Id)).State);
    }

    [Fact]
    public async Task Quota_NewNominalIsUsedAndKeptAcrossARestart()
    {
        await using var h = await ServerHarness.StartAsync();
        Assert.Equal(4, (await QueueAsync(h, "team-a")).Quota.Single(q => q.Resource == "gpu").Nominal);
        using (var edit = await PatchAsync(h.Admin, "team-a", new { weight = 3, quota = new[] { new { flavor = "default", gpus = 6, borrowingLimit = 1 } } }))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
            var view = (await edit.Content.ReadFromJsonAsync<QueueView>(ApiJson.Responses))!;
            Assert.Equal((3.0, 6.0), (view.Weight, view.Quota.Single(q => q.Resource == "gpu").Nominal));
        }

        await h.RestartAsync();
        var after = await QueueAsync(h, "team-a");
        Assert.Equal((3.0, 6.0), (after.Weight, after.Quota.Single(q => q.Resource == "gpu").Nominal));
    }

    [Theory]
    [InlineData("nope", "{\"weight\": 2}", 404, "name")]
    [InlineData("team-a", "{\"weight\": 0}", 400, "weight")]
    [InlineData("team-a", "{\"stopPolicy\": \"Pause\"}", 400, "stopPolicy")]
    [InlineData("team-a", "{\"quota\": [{\"flavor\": \"h100\", \"gpus\": 2}]}", 400, "quota[0].flavor")]
    [InlineData("team-a", "{\"quota\": [{\"flavor\": \"default\", \"gpus\": -1}]}", 400, "quota[0].gpus")]
    [InlineData("team-a", "{\"quota\": [{\"flavor\": \"default\", \"gpus\": 4, \"lendingLimit\": 9}]}", 400, "lendingLimit")]
    [InlineData("team-a", "{\"wieght\": 2}", 400, "wieght")]
    public async Task BadEdit_IsRefusedNamingTheField_AndChangesNothing(string queue, string body, int status, string field)
    {
        await using var h = await ServerHarness.StartAsync();
        var before = await QueueAsync(h, "team-a");
        using var response = await h.Admin.PatchAsync($"api/v1/queues/{queue}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = await QueueAsync(h, "team-a");
        Assert.Equal((before.Weight, before.Quota.Single(q => q.Resource == "gpu").Nominal), (after.Weight, after.Quota.Single(q => q.Resource == "gpu").Nominal));
        Assert.Null(h.Server.Store.Meta(Loop.QueueEdits.MetaKey));
    }

    [Fact]
    public async Task Queues_ShowBorrowedLentAndTheFairShareOfTheBorrower()
    {
        await using var h = await ServerHarness.StartAsync();
        var job = await h.SubmitOkAsync(ServerHarness.Job(queue: "team-a", gpus: 3, pods: 2));
        h.Cycle();
        Assert.Equal(JobState.Running, (await h.GetAsync(job.Id)).State);

        var a = await QueueAsync(h, "team-a");
        var b = await QueueAsync(h, "team-b");
        var aGpu = a.Quota.Single(q => q.Resource == "gpu");
        var bGpu = b.Quota.Single(q => q.Resource == "gpu");
        Assert.Equal((6.0, 2.0, 0.0), (aGpu.Used, aGpu.Borrowed, aGpu.Lent));
        Assert.Equal((0.0, 0.0, 2.0), (bGpu.Used, bGpu.Borrowed, bGpu.Lent));
        Assert.Equal(2.0 / 8, a.Share, 9); // borrowed over the cohort's 8 nominal GPUs, weight 1
        Assert.Equal(0, b.Share);

        var cohort = (await h.Admin.GetFromJsonAsync<CohortView[]>("api/v1/cohorts", ApiJson.Responses))!.Single();
        Assert.Equal("all", cohort.Name);
        Assert.Equal(["team-a", "team-b"], cohort.Queues);
        Assert.Equal((8.0, 6.0), (cohort.Quota.Single(q => q.Resource == "gpu").Nominal, cohort.Quota.Single(q => q.Resource == "gpu").Used));

        using (await PatchAsync(h.Admin, "team-a", new { weight = 2 }))
        {
        }

        Assert.Equal(2.0 / 8 / 2, (await QueueAsync(h, "team-a")).Share, 9);
    }

    [Fact]
    public async Task Cohort_WeightAndOwnQuota_AreEditedAndKeptAcrossARestart()
    {
        await using var h = await ServerHarness.StartAsync();
        using (var edit = await h.Admin.PatchAsync("api/v1/cohorts/all", JsonContent.Create(new { weight = 2, quota = new[] { new { flavor = "default", gpus = 2 } } })))
        {
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        }

        using (var wrong = await h.Admin.PatchAsync("api/v1/cohorts/nope", JsonContent.Create(new { weight = 2 })))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        }

        using (var stop = await h.Admin.PatchAsync("api/v1/cohorts/all", JsonContent.Create(new { stopPolicy = "Hold" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, stop.StatusCode);
        }

        await h.RestartAsync();
        var cohort = (await h.Admin.GetFromJsonAsync<CohortView[]>("api/v1/cohorts", ApiJson.Responses))!.Single();
        Assert.Equal(2.0, cohort.Weight);
        Assert.Equal(2.0, cohort.OwnGpus["default"]);
    }

    [Fact]
    public async Task NonAdmin_MayNotEditQueues()
    {
        await using var h = await ServerHarness.StartAsync();
        using var created = await h.Admin.PostAsJsonAsync("api/v1/tokens", new { role = "submitter", queues = new[] { "team-a" }, name = "alice" });
        var token = (await created.Content.ReadFromJsonAsync<TokenCreated>(ApiJson.Responses))!.Token;
        using var alice = h.Client(token);
        using var response = await PatchAsync(alice, "team-a", new { weight = 10 });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(1.0, (await QueueAsync(h, "team-a")).Weight);
    }
}
