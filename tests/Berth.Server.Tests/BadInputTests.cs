using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.Server.Api;

namespace Berth.Server.Tests;

public class BadInputTests
{
    public sealed record BadCase(string Name, string Body, HttpStatusCode Status, string Field);

    public static TheoryData<BadCase> Cases() =>
    [
        new("malformed JSON is refused", "{\"queue\": \"team-a\", ", HttpStatusCode.BadRequest, ""),
        new("an unknown field is refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"gpu\":1}]}", HttpStatusCode.BadRequest, "podSets[0].gpu"),
        new("negative GPUs are refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"gpus\":-1}]}", HttpStatusCode.BadRequest, "podSets[0].gpus"),
        new("an unknown queue is refused", "{\"queue\":\"nope\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"gpus\":1}]}", HttpStatusCode.BadRequest, "queue"),
        new("an unknown priority class is refused", "{\"queue\":\"team-a\",\"priorityClass\":\"urgent\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"gpus\":1}]}", HttpStatusCode.BadRequest, "priorityClass"),
        new("a missing duration is refused", "{\"queue\":\"team-a\",\"podSets\":[{\"count\":1,\"gpus\":1}]}", HttpStatusCode.BadRequest, "duration"),
        new("no pod sets is refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[]}", HttpStatusCode.BadRequest, "podSets"),
        new("a zero count is refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":0,\"gpus\":1}]}", HttpStatusCode.BadRequest, "podSets[0].count"),
        new("a share of 1.5 GPUs is refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"gpuShare\":1.5}]}", HttpStatusCode.BadRequest, "podSets[0].gpuShare"),
        new("an unknown MIG profile is refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"resources\":{\"nvidia.com/mig-5g.99gb\":\"1\"}}]}", HttpStatusCode.BadRequest, "podSets[0].resources.nvidia.com/mig-5g.99gb"),
        new("an unknown resource name is refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"resources\":{\"nvidia.com/gpus\":\"1\"}}]}", HttpStatusCode.BadRequest, "podSets[0].resources.nvidia.com/gpus"),
        new("GPUs in both resources and gpus are refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"gpus\":1,\"resources\":{\"nvidia.com/gpu\":\"1\"}}]}", HttpStatusCode.BadRequest, "podSets[0].resources"),
        new("two kinds of GPU in resources are refused", "{\"queue\":\"team-a\",\"duration\":\"1m\",\"podSets\":[{\"count\":1,\"resources\":{\"nvidia.com/gpu\":\"1\",\"nvidia.com/gpu.shared\":\"1\"}}]}", HttpStatusCode.BadRequest, "podSets[0].resources"),
        new("a null body is refused", "null", HttpStatusCode.BadRequest, "body"),
        new("an oversize body is refused", "{\"name\":\"" + new string('x', 300 * 1024) + "\"}", HttpStatusCode.RequestEntityTooLarge, "body"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Submit_BadInput_IsAProblemNamingTheField_AndChangesNothing(BadCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        await using var h = await ServerHarness.StartAsync();
        await h.SubmitOkAsync(ServerHarness.Job());
        using var response = await h.Admin.PostAsync("api/v1/jobs", new StringContent(c.Body, Encoding.UTF8, "application/json"));
        Assert.Equal(c.Status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var field = problem.RootElement.GetProperty("field").GetString();
        if (c.Field.Length > 0)
        {
            Assert.Equal(c.Field, field);
        }

        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Equal(1, h.Server.Store.Count);
        Assert.Equal(1, (await h.Admin.GetFromJsonAsync<JobList>("api/v1/jobs", ApiJson.Responses))!.Total);
    }

    [Fact]
    public async Task Submit_NotJson_Is415()
    {
        await using var h = await ServerHarness.StartAsync();
        using var response = await h.Admin.PostAsync("api/v1/jobs", new StringContent("queue=team-a", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, h.Server.Store.Count);
    }

    [Fact]
    public async Task NoToken_Is401_WithAChallenge()
    {
        await using var h = await ServerHarness.StartAsync();
        using var anonymous = h.Client(null);
        using var response = await h.SubmitAsync(ServerHarness.Job(), anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(0, h.Server.Store.Count);
        using var list = await anonymous.GetAsync("api/v1/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
    }

    [Fact]
    public async Task UnknownToken_Is401()
    {
        await using var h = await ServerHarness.StartAsync();
        using var stranger = h.Client("berth_not-a-token");
        using var response = await h.SubmitAsync(ServerHarness.Job(), stranger);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, h.Server.Store.Count);
    }

    [Fact]
    public async Task SubmitterToken_WrongQueue_Is403_AndSeesOnlyItsQueues()
    {
        await using var h = await ServerHarness.StartAsync();
        var other = await h.SubmitOkAsync(ServerHarness.Job(queue: "team-b"));
        using var created = await h.Admin.PostAsJsonAsync("api/v1/tokens", new { role = "submitter", queues = new[] { "team-a" }, name = "alice" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<TokenCreated>(ApiJson.Responses))!.Token;
        using var alice = h.Client(token);

        using var wrong = await h.SubmitAsync(ServerHarness.Job(queue: "team-b"), alice);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(1, h.Server.Store.Count);

        using var right = await h.SubmitAsync(ServerHarness.Job(queue: "team-a"), alice);
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);

        var visible = await alice.GetFromJsonAsync<JobList>("api/v1/jobs", ApiJson.Responses);
        Assert.All(visible!.Items, j => Assert.Equal("team-a", j.Queue));
        using var cancel = await alice.DeleteAsync($"api/v1/jobs/{other.Id}");
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Equal(Berth.Web.JobState.Pending, (await h.GetAsync(other.Id)).State);
    }

    [Fact]
    public async Task ViewerToken_CannotSubmit_NorMakeTokens()
    {
        await using var h = await ServerHarness.StartAsync();
        using var created = await h.Admin.PostAsJsonAsync("api/v1/tokens", new { role = "viewer" });
        var token = (await created.Content.ReadFromJsonAsync<TokenCreated>(ApiJson.Responses))!.Token;
        using var viewer = h.Client(token);
        using var submit = await h.SubmitAsync(ServerHarness.Job(), viewer);
        Assert.Equal(HttpStatusCode.Forbidden, submit.StatusCode);
        using var mint = await viewer.PostAsJsonAsync("api/v1/tokens", new { role = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, mint.StatusCode);
        Assert.Equal(0, h.Server.Store.Count);
        using var list = await viewer.GetAsync("api/v1/jobs");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task Tokens_AreStoredHashed_AndTheAdminTokenFileIsPrivate()
    {
        await using var h = await ServerHarness.StartAsync();
        var path = Path.Combine(h.Directory, "admin.token");
        Assert.Equal(h.AdminToken, File.ReadAllText(path).Trim());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var stored = h.Server.Store.Tokens();
        Assert.DoesNotContain(stored, t => t.Hash == h.AdminToken);
        Assert.Contains(stored, t => t.Hash == Berth.Server.Access.TokenRegistry.Hash(h.AdminToken));
        var bytes = File.ReadAllBytes(Path.Combine(h.Directory, "berth.db"));
        Assert.DoesNotContain(h.AdminToken, Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadQuery_IsAProblem()
    {
        await using var h = await ServerHarness.StartAsync();
        using var state = await h.Admin.GetAsync("api/v1/jobs?state=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, state.StatusCode);
        using var limit = await h.Admin.GetAsync("api/v1/jobs?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, limit.StatusCode);
        Assert.Contains("\"field\":\"limit\"", await limit.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
