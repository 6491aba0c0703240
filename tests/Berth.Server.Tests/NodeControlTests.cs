using System.Net;
using System.Net.Http.Json;
using Berth.Server.Api;
using Berth.Server.Jobs;

namespace Berth.Server.Tests;

public class NodeControlTests
{
    [Fact]
    public async Task Cordon_KeepsNewJobsOffTheNode_AndSurvivesARestart()
    {
        await using var h = await ServerHarness.StartAsync();
        using (var cordon = await h.Admin.PostAsync("api/v1/nodes/node-1/cordon", null))
        {
            Assert.Equal(HttpStatusCode.OK, cordon.StatusCode);
        }

        await h.RestartAsync();
        var first = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        var second = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        h.Cycle();
        Assert.All((await h.GetAsync(first.Id)).Placement!, p => Assert.Equal("node-2", p.Node));
        Assert.Equal(JobState.Pending, (await h.GetAsync(second.Id)).State);
        var nodes = await h.Admin.GetFromJsonAsync<NodeView[]>("api/v1/nodes", ApiJson.Responses);
        Assert.True(nodes!.Single(n => n.Name == "node-1").Cordoned);

        using (var uncordon = await h.Admin.PostAsync("api/v1/nodes/node-1/uncordon", null))
        {
            Assert.Equal(HttpStatusCode.OK, uncordon.StatusCode);
        }

        h.Cycle();
        Assert.All((await h.GetAsync(second.Id)).Placement!, p => Assert.Equal("node-1", p.Node));
    }

    [Fact]
    public async Task Drain_SendsItsJobsBackToTheirQueue_WhichRunElsewhere()
    {
        await using var h = await ServerHarness.StartAsync();
        var job = await h.SubmitOkAsync(ServerHarness.Job(gpus: 4));
        h.Cycle();
        var node = (await h.GetAsync(job.Id)).Placement![0].Node;
        using (var drain = await h.Admin.PostAsync($"api/v1/nodes/{node}/drain", null))
        {
            Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        }

        var drained = await h.GetAsync(job.Id);
        Assert.Equal(JobState.Pending, drained.State);
        Assert.Empty(h.GpuHolds());
        h.Cycle();
        var moved = await h.GetAsync(job.Id);
        Assert.Equal(JobState.Running, moved.State);
        Assert.All(moved.Placement!, p => Assert.NotEqual(node, p.Node));
        Assert.Contains(moved.Events!, e => e.Kind == "Requeued" && e.Message.StartsWith("Drained", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cordon_IsForAdmins_AndNamesARealNode()
    {
        await using var h = await ServerHarness.StartAsync();
        using var created = await h.Admin.PostAsJsonAsync("api/v1/tokens", new { role = "viewer" });
        using var viewer = h.Client((await created.Content.ReadFromJsonAsync<TokenCreated>(ApiJson.Responses))!.Token);
        using var denied = await viewer.PostAsync("api/v1/nodes/node-1/cordon", null);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        using var unknown = await h.Admin.PostAsync("api/v1/nodes/node-9/cordon", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(h.Server.Store.Cordoned);
    }
}
