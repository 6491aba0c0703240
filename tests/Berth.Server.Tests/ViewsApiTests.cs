using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Server.Api;
using Berth.Server.Jobs;

namespace Berth.Server.Tests;

/// <summary>
/// The shared read views (Berth.Web) as the server serves them: the timeline, info, filters and paging of the jobs list,
/// the reason history, the problems for bad filters, the dashboard's files, and the OpenAPI document.
/// </summary>
public class ViewsApiTests
{
    [Fact]
    public async Task Timeline_AfterACycle_CountsAllocatedFreeFragmentedAndUsedGpus()
    {
        await using var h = await ServerHarness.StartAsync();
        await h.SubmitOkAsync(new JobSpec { Queue = "team-a", Duration = "1h", GpuActivity = 0.25, PodSets = [new PodSetSpec { Count = 1, Gpus = 2, Cpu = 1, MemoryGiB = 1 }] });
        await h.SubmitOkAsync(new JobSpec { Queue = "team-b", Duration = "1h", PodSets = [new PodSetSpec { Count = 1, GpuShare = 0.5, Cpu = 1, MemoryGiB = 1 }] });
        h.Cycle();

        var timeline = (await h.Admin.GetFromJsonAsync<TimelineView>("api/v1/timeline", ApiJson.Responses))!;
        Assert.Equal(8, timeline.TotalGpus);
        var now = timeline.Points[^1];
        Assert.Equal(h.Time.GetUtcNow(), now.At);
        Assert.Equal(2.5, now.Allocated);
        Assert.Equal(5.5, now.Free);
        Assert.Equal(0.5, now.Fragmented); // the other half of the shared GPU
        Assert.Equal(0.5, now.Used); // 2 GPUs at 25 %; the shared job states no activity
        Assert.Equal(1.5, now.IdleAllocated);
    }

    [Fact]
    public async Task Timeline_SinceFiltersOldPoints_AndABadSinceIsAProblem()
    {
        await using var h = await ServerHarness.StartAsync();
        await h.SubmitOkAsync(ServerHarness.Job(gpus: 1));
        h.Cycle();
        h.Time.Advance(120);
        await h.SubmitOkAsync(ServerHarness.Job(gpus: 1));
        h.Cycle();

        var all = (await h.Admin.GetFromJsonAsync<TimelineView>("api/v1/timeline", ApiJson.Responses))!.Points;
        Assert.True(all.Count >= 2);
        var since = Uri.EscapeDataString(all[^1].At.ToString("O"));
        var recent = (await h.Admin.GetFromJsonAsync<TimelineView>($"api/v1/timeline?since={since}", ApiJson.Responses))!.Points;
        Assert.Equal([all[^1]], recent);

        using var bad = await h.Admin.GetAsync("api/v1/timeline?since=yesterday");
        await AssertProblem(bad, HttpStatusCode.BadRequest, "since", "is not a time");
    }

    [Fact]
    public async Task Info_SaysServerWritableWithLogs_AndWhoAsks()
    {
        await using var h = await ServerHarness.StartAsync();
        var info = (await h.Admin.GetFromJsonAsync<ViewsInfo>("api/v1/info", ApiJson.Responses))!;
        Assert.Equal(new ViewsInfo("server", ReadOnly: false, Logs: true, User: "admin"), info);
    }

    [Fact]
    public async Task Jobs_FilterByUser_IsTheSubmittingTokensName_AndPagesFollowTheCursor()
    {
        await using var h = await ServerHarness.StartAsync();
        using var created = await h.Admin.PostAsJsonAsync("api/v1/tokens", new { role = "submitter", queues = new[] { "team-a" }, name = "alice" });
        using var alice = h.Client((await created.Content.ReadFromJsonAsync<TokenCreated>(ApiJson.Responses))!.Token);
        for (var i = 0; i < 5; i++)
        {
            using var response = await h.SubmitAsync(ServerHarness.Job(), i % 2 == 0 ? alice : null);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var ids = new List<string>();
        string? after = null;
        do
        {
            var page = (await h.Admin.GetFromJsonAsync<JobList>("api/v1/jobs?user=alice&limit=2" + (after is null ? string.Empty : "&after=" + after), ApiJson.Responses))!;
            Assert.Equal(3, page.Total);
            Assert.All(page.Items, j => Assert.Equal("alice", j.User));
            ids.AddRange(page.Items.Select(j => j.Id));
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(["j-1", "j-3", "j-5"], ids);
        Assert.Equal(2, (await h.Admin.GetFromJsonAsync<JobList>("api/v1/jobs?user=admin", ApiJson.Responses))!.Total);
    }

    public static TheoryData<string, string, string> BadFilters() => new()
    {
        { "state=sleeping", "state", "state 'sleeping' is not a job state; use one of pending, held, running" },
        { "state=7", "state", "is not a job state" },
        { "queue=nobody", "queue", "there is no queue 'nobody'; use one of team-a, team-b" },
        { "limit=0", "limit", "give 1 to 5000 jobs per page" },
        { "limit=many", "limit", "give 1 to 5000 jobs per page" },
        { "after=xyz", "after", "pass the 'next' value of the previous page" },
        { "user=", "user", "user is empty" },
    };

    [Theory]
    [MemberData(nameof(BadFilters))]
    public async Task Jobs_BadFilter_IsAProblemNamingTheParameter(string query, string field, string detail)
    {
        await using var h = await ServerHarness.StartAsync();
        await h.SubmitOkAsync(ServerHarness.Job());
        using var response = await h.Admin.GetAsync("api/v1/jobs?" + query);
        await AssertProblem(response, HttpStatusCode.BadRequest, field, detail);
        Assert.Equal(1, h.Server.Store.Count);
    }

    [Fact]
    public async Task Job_RemembersEveryPendingReasonItHad()
    {
        await using var h = await ServerHarness.StartAsync(ServerHarness.SmallCluster(nodes: 1, gpus: 4));
        var first = await h.SubmitOkAsync(ServerHarness.Job(gpus: 2, duration: "5m"));
        var second = await h.SubmitOkAsync(ServerHarness.Job(gpus: 2, duration: "5m"));
        var third = await h.SubmitOkAsync(ServerHarness.Job(gpus: 2));
        h.Cycle();
        var waiting = await h.GetAsync(third.Id);
        Assert.Equal(JobState.Pending, waiting.State);
        Assert.Equal(waiting.Pending!.Code, Assert.Single(waiting.Reasons!).Code);

        h.Time.Advance(5 * 60);
        h.Cycle();
        var started = await h.GetAsync(third.Id);
        Assert.Equal(JobState.Running, started.State);
        Assert.Equal(waiting.Reasons, started.Reasons);
        Assert.Empty((await h.GetAsync(first.Id)).Reasons!);
        Assert.Equal(JobState.Succeeded, (await h.GetAsync(second.Id)).State);
    }

    [Fact]
    public async Task Dashboard_IsServedWithoutAToken_RootRedirects_AndAnUnchangedFileIs304()
    {
        await using var h = await ServerHarness.StartAsync();
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = h.Server.Url };
        using var root = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/ui/", root.Headers.Location!.OriginalString);

        using var index = await anonymous.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<script src=\"app.js\"", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("chart.umd.min.js", await anonymous.GetStringAsync("/ui/app.js"), StringComparison.Ordinal);

        using var chart = await anonymous.GetAsync("/ui/chart.umd.min.js");
        Assert.True((await chart.Content.ReadAsByteArrayAsync()).Length > 100_000, "Chart.js is embedded whole");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/chart.umd.min.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", chart.Headers.ETag!.Tag);
        using var cached = await anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);

        using var missing = await anonymous.GetAsync("/ui/nothing.js");
        await AssertProblem(missing, HttpStatusCode.NotFound, "path", "the dashboard has no file nothing.js");
    }

    [Fact]
    public async Task OpenApi_DescribesTheSharedViews()
    {
        await using var h = await ServerHarness.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = h.Server.Url };
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/api/v1/jobs", "get"), ("/api/v1/jobs", "post"), ("/api/v1/jobs/{id}", "get"), ("/api/v1/jobs/{id}", "delete"), ("/api/v1/queues", "get"), ("/api/v1/cohorts", "get"), ("/api/v1/nodes", "get"), ("/api/v1/timeline", "get"), ("/api/v1/events", "get"), ("/api/v1/info", "get") })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"the OpenAPI document lacks {method.ToUpperInvariant()} {path}");
        }

        var parameters = paths.GetProperty("/api/v1/jobs").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["queue", "state", "user", "limit", "after"], parameters);
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string field, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
