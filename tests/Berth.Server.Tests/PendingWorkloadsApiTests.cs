using System.Net;
using System.Net.Http.Json;

namespace Berth.Server.Tests;

/// <summary>
/// The visibility API on <c>berth serve</c>, the same endpoint and shape as the operator's: a queue's waiting jobs in
/// its order, with positions in the cohort (its queues interleaved oldest first), and in the OpenAPI document.
/// </summary>
public class PendingWorkloadsApiTests
{
    [Fact]
    public async Task Pending_ListsWaitingJobsInQueueOrder_WithCohortPositions()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        var ids = new List<string>();
        foreach (var queue in new[] { "team-a", "team-b", "team-a", "team-b", "team-a" })
        {
            ids.Add((await h.SubmitOkAsync(ServerHarness.Job(queue: queue, gpus: 2))).Id);
            h.Time.Advance(1);
        }

        h.Cycle(); // the first of each queue runs; three jobs wait

        var a = await h.Admin.GetFromJsonAsync<PendingWorkloadsView>("api/v1/queues/team-a/pending", ApiJson.Responses);
        var b = await h.Admin.GetFromJsonAsync<PendingWorkloadsView>("api/v1/queues/team-b/pending", ApiJson.Responses);
        var paged = await h.Admin.GetFromJsonAsync<PendingWorkloadsView>("api/v1/queues/team-a/pending?offset=1&limit=1", ApiJson.Responses);

        Assert.Equal("all", a!.Cohort);
        Assert.Equal([ids[2], ids[4]], a.Items.Select(i => i.Job));
        Assert.Equal([1, 2], a.Items.Select(i => i.PositionInQueue ?? 0));
        Assert.Equal([1, 3], a.Items.Select(i => i.PositionInCohort ?? 0));
        Assert.Equal(ids[3], Assert.Single(b!.Items).Job);
        Assert.Equal(2, b.Items[0].PositionInCohort);
        foreach (var item in a.Items)
        {
            Assert.Equal((await h.GetAsync(item.Job)).Pending!.Code, item.Reason.Code);
        }

        Assert.Equal(ids[4], Assert.Single(paged!.Items).Job);
        Assert.Equal(2, paged.Total);
    }

    [Theory]
    [InlineData("api/v1/queues/nowhere/pending", HttpStatusCode.NotFound, "name")]
    [InlineData("api/v1/queues/team-a/pending?limit=abc", HttpStatusCode.BadRequest, "limit")]
    [InlineData("api/v1/queues/team-a/pending?offset=-3", HttpStatusCode.BadRequest, "offset")]
    public async Task Pending_BadInput_IsProblemJson(string path, HttpStatusCode status, string field)
    {
        await using var h = await ServerHarness.StartAsync();

        using var response = await h.Admin.GetAsync(path);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, problem!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApi_DescribesTheVisibilityEndpoint()
    {
        await using var h = await ServerHarness.StartAsync();
        using var anonymous = h.Client(null);

        var openapi = await anonymous.GetStringAsync("openapi/v1.json");

        Assert.Contains("\"/api/v1/queues/{name}/pending\"", openapi, StringComparison.Ordinal);
        Assert.Contains("\"PendingWorkloadsView\"", openapi, StringComparison.Ordinal);
    }
}
