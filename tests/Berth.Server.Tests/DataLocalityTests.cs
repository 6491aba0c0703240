using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Server.Jobs;
using Berth.Server.Loop;

namespace Berth.Server.Tests;

/// <summary>Jobs submitted to the server name datasets; the decision loop places them on nodes that cache them.</summary>
public class DataLocalityTests
{
    /// <summary>The small cluster with node-2 caching imagenet.</summary>
    private static ServerCluster Cluster()
    {
        var small = ServerHarness.SmallCluster();
        return small with { Nodes = small.Nodes.Select(n => n.Name == "node-2" ? n with { CachedDatasets = ["imagenet"] } : n).ToArray() };
    }

    private static JobSpec Job(string name, DatasetSpec[]? datasets) =>
        new() { Name = name, Queue = "team-a", Duration = "10m", Datasets = datasets, PodSets = [new PodSetSpec { Name = "workers", Count = 1, Gpus = 1, Cpu = 1, MemoryGiB = 4 }] };

    [Fact]
    public async Task Submit_JobNamingACachedDataset_RunsOnTheNodeThatCachesIt()
    {
        await using var h = await ServerHarness.StartAsync(Cluster());
        var plain = await h.SubmitOkAsync(Job("plain", null));
        var local = await h.SubmitOkAsync(Job("local", [new DatasetSpec { Name = "imagenet", SizeGb = 150 }]));

        h.Cycle();

        Assert.Equal("node-1", Assert.Single(h.Server.Store.Find(plain.Id)!.Bindings).Node);
        Assert.Equal("node-2", Assert.Single(h.Server.Store.Find(local.Id)!.Bindings).Node);
        Assert.Equal(150, Assert.Single(h.Server.Store.Find(local.Id)!.Workload.Datasets).SizeGb);
    }

    [Theory]
    [InlineData("{\"name\":\"imagenet\"}", "datasets[0].sizeGb", "dataset imagenet has no size")]
    [InlineData("{\"name\":\"imagenet\",\"sizeGb\":0}", "datasets[0].sizeGb", "dataset imagenet has no size")]
    [InlineData("{\"sizeGb\":10}", "datasets[0].name", "datasets[0].name is missing")]
    public async Task Submit_BadDataset_IsAProblemNamingTheField_AndChangesNothing(string dataset, string field, string mentions)
    {
        await using var h = await ServerHarness.StartAsync(Cluster());
        var body = "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"gpus\":1}],\"datasets\":[" + dataset + "]}";
        using var response = await h.Admin.PostAsync("api/v1/jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.Contains(mentions, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Store.Count);
    }
}
