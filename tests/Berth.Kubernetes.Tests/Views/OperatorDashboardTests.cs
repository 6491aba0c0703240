using System.Net;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Tests.Views;

/// <summary>
/// The operator's dashboard API against the fake API server (see <see cref="DashboardCluster"/>): authentication and
/// authorization through TokenReview and SubjectAccessReview, a tenant seeing only their namespaces' queues and
/// workloads, the visibility API in the controller's order, and bad input as problem+json that changes nothing.
/// </summary>
public sealed class OperatorDashboardTests(DashboardCluster cluster) : IClassFixture<DashboardCluster>
{
    public sealed record ProblemCase(string Name, string? Token, string Method, string Path, HttpStatusCode Status, string Field)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<ProblemCase> Problems => new()
    {
        new ProblemCase("no token is 401", null, "GET", "/api/v1/queues", HttpStatusCode.Unauthorized, "Authorization"),
        new ProblemCase("a token the API server rejects is 401", "expired-token", "GET", "/api/v1/jobs", HttpStatusCode.Unauthorized, "Authorization"),
        new ProblemCase("a user with no grant is 403", "mallory-token", "GET", "/api/v1/queues", HttpStatusCode.Forbidden, "Authorization"),
        new ProblemCase("a write is 405: the views are read-only", "admin-token", "POST", "/api/v1/jobs", HttpStatusCode.MethodNotAllowed, "method"),
        new ProblemCase("a delete is 405 too", "admin-token", "DELETE", "/api/v1/jobs/pod:alpha:train", HttpStatusCode.MethodNotAllowed, "method"),
        new ProblemCase("an unknown job is 404", "admin-token", "GET", "/api/v1/jobs/pod:alpha:nothing", HttpStatusCode.NotFound, "id"),
        new ProblemCase("another namespace's job is 404 for a tenant", "alice-token", "GET", "/api/v1/jobs/pod:beta:other", HttpStatusCode.NotFound, "id"),
        new ProblemCase("a bad state filter is 400", "admin-token", "GET", "/api/v1/jobs?state=sleeping", HttpStatusCode.BadRequest, "state"),
        new ProblemCase("a bad cursor is 400", "admin-token", "GET", "/api/v1/jobs?after=nonsense", HttpStatusCode.BadRequest, "after"),
        new ProblemCase("pending of an unknown queue is 404", "admin-token", "GET", "/api/v1/queues/team-z/pending", HttpStatusCode.NotFound, "name"),
        new ProblemCase("pending of a queue the tenant's namespaces may not use is 403", "alice-token", "GET", "/api/v1/queues/team-b/pending", HttpStatusCode.Forbidden, "name"),
        new ProblemCase("a limit of 0 is 400", "admin-token", "GET", "/api/v1/queues/team-a/pending?limit=0", HttpStatusCode.BadRequest, "limit"),
        new ProblemCase("a limit over 1000 is 400", "admin-token", "GET", "/api/v1/queues/team-a/pending?limit=1001", HttpStatusCode.BadRequest, "limit"),
        new ProblemCase("usage without a token is 401", null, "GET", "/api/v1/usage", HttpStatusCode.Unauthorized, "Authorization"),
        new ProblemCase("a usage period whose from is not a date is 400", "admin-token", "GET", "/api/v1/usage?from=yesterday", HttpStatusCode.BadRequest, "from"),
        new ProblemCase("a usage period that ends before it starts is 400", "admin-token", "GET", "/api/v1/usage?from=2026-12-08&to=2026-12-01", HttpStatusCode.BadRequest, "from"),
        new ProblemCase("a negative offset is 400", "admin-token", "GET", "/api/v1/queues/team-a/pending?offset=-1", HttpStatusCode.BadRequest, "offset"),
    };

    [Fact]
    public async Task Usage_ShowsAnAdminEveryNamespace_AndATenantOnlyTheirs()
    {
        using var admin = cluster.Client("admin-token");
        using var alice = cluster.Client("alice-token");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonArray rows;
        do
        {
            await Task.Delay(100);
            rows = JsonNode.Parse(await admin.GetStringAsync(new Uri("/api/v1/usage", UriKind.Relative)))!["rows"]!.AsArray();
        }
        while ((rows.Count < 2 || rows.Any(r => r!["allocatedGpuHours"]!.GetValue<double>() <= 0)) && DateTime.UtcNow < deadline); // hours grow from the first sample on

        Assert.Equal([("team-a", "alpha", "unknown"), ("team-b", "beta", "unknown")], rows.Select(r => (r!["queue"]!.GetValue<string>(), r["namespace"]!.GetValue<string>(), r["user"]!.GetValue<string>())).ToArray());
        Assert.All(rows, r => Assert.True(r!["allocatedGpuHours"]!.GetValue<double>() > 0));
        var theirs = JsonNode.Parse(await alice.GetStringAsync(new Uri("/api/v1/usage", UriKind.Relative)))!["rows"]!.AsArray();
        Assert.Equal(["alpha"], theirs.Select(r => r!["namespace"]!.GetValue<string>()).Distinct().ToArray());
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public async Task BadRequests_AreProblemJson_NamingTheField(ProblemCase c)
    {
        using var http = cluster.Client(c.Token);
        var bindings = cluster.Server.Bindings.Count;

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(c.Method), new Uri(c.Path, UriKind.Relative)));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(c.Status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)c.Status, body["status"]!.GetValue<int>());
        Assert.Equal(c.Field, body["field"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(body["detail"]?.GetValue<string>()));
        Assert.Equal(c.Status == HttpStatusCode.Unauthorized, response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"));
        Assert.Equal(bindings, cluster.Server.Bindings.Count); // nothing changed
    }

    [Fact]
    public async Task Info_SaysKubernetesAndReadOnly_WithTheUserTheApiServerNamed()
    {
        using var http = cluster.Client("alice-token");

        var info = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v1/info", UriKind.Relative)))!;

        Assert.Equal("kubernetes", info["source"]!.GetValue<string>());
        Assert.True(info["readOnly"]!.GetValue<bool>());
        Assert.False(info["logs"]!.GetValue<bool>());
        Assert.Equal("alice", info["user"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("admin-token", new[] { "team-a", "team-b" }, new[] { "pod:alpha:train", "pod:alpha:wait-1", "pod:alpha:wait-2", "pod:beta:other" })]
    [InlineData("alice-token", new[] { "team-a" }, new[] { "pod:alpha:train", "pod:alpha:wait-1", "pod:alpha:wait-2" })]
    public async Task QueuesAndJobs_AreThoseTheUsersRbacAllows(string token, string[] queues, string[] jobs)
    {
        using var http = cluster.Client(token);

        var queueList = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v1/queues", UriKind.Relative)))!.AsArray();
        var jobList = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v1/jobs", UriKind.Relative)))!;

        Assert.Equal(queues, queueList.Select(q => q!["name"]!.GetValue<string>()));
        Assert.Equal(jobs, jobList["items"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(jobs.Length, jobList["total"]!.GetValue<int>());
        var teamA = queueList.First(q => q!["name"]!.GetValue<string>() == "team-a")!;
        Assert.Equal(2, teamA["pending"]!.GetValue<int>());
        Assert.Equal(1, teamA["running"]!.GetValue<int>());
    }

    [Fact]
    public async Task Nodes_ShowTheRunningPodOnItsGpus_AndHideWhoHoldsAnotherNamespacesGpus()
    {
        using var admin = cluster.Client("admin-token");
        using var alice = cluster.Client("alice-token");

        var all = JsonNode.Parse(await admin.GetStringAsync(new Uri("/api/v1/nodes", UriKind.Relative)))!.AsArray();
        var hers = JsonNode.Parse(await alice.GetStringAsync(new Uri("/api/v1/nodes", UriKind.Relative)))!.AsArray();

        static string[] Holders(JsonArray nodes) => nodes.SelectMany(n => n!["gpus"]!.AsArray()).SelectMany(g => g!["heldBy"]!.AsArray()).Select(h => h!["job"]!.GetValue<string>()).ToArray();
        Assert.Equal(16, all.Sum(n => n!["gpus"]!.AsArray().Count));
        Assert.Equal(8, Holders(all).Count(h => h == "pod:alpha:train"));
        Assert.Equal(8, Holders(all).Count(h => h == "pod:beta:other"));
        Assert.Equal(8, Holders(hers).Count(h => h == "pod:alpha:train"));
        Assert.Equal(8, Holders(hers).Count(h => h == "(not yours)"));
        Assert.DoesNotContain("pod:beta:other", Holders(hers));
        var train = JsonNode.Parse(await alice.GetStringAsync(new Uri("/api/v1/jobs/pod:alpha:train", UriKind.Relative)))!;
        Assert.Equal("running", train["state"]!.GetValue<string>());
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Assert.Single(train["placement"]!.AsArray())!["gpus"]!.AsArray().Select(g => g!.GetValue<int>()));
    }

    [Theory]
    [InlineData("admin-token")]
    [InlineData("alice-token")]
    public async Task Pending_ListsTheQueueInTheControllersOrder_WithReasonsAndPositions(string token)
    {
        using var http = cluster.Client(token);

        var page = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v1/queues/team-a/pending", UriKind.Relative)))!;
        var second = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/v1/queues/team-a/pending?offset=1&limit=1", UriKind.Relative)))!;

        Assert.Equal("PendingWorkloadsSummary", page["kind"]!.GetValue<string>());
        Assert.Equal(2, page["total"]!.GetValue<int>());
        var items = page["items"]!.AsArray();
        Assert.Equal([1, 2], items.Select(i => i!["positionInQueue"]!.GetValue<int>()));
        foreach (var item in items)
        {
            // The controller told each pod the same reason and position (its PodScheduled=False message).
            var said = cluster.WaitMessage(item!["name"]!.GetValue<string>())!;
            Assert.StartsWith(item["reason"]!["code"]!.GetValue<string>() + ": ", said, StringComparison.Ordinal);
            Assert.EndsWith($"(position {item["positionInQueue"]!.GetValue<int>()} in queue team-a)", said, StringComparison.Ordinal);
            Assert.Equal("alpha", item["namespace"]!.GetValue<string>());
            Assert.Equal(item["positionInQueue"]!.GetValue<int>(), item["positionInNamespace"]!.GetValue<int>());
        }

        Assert.Equal(items[1]!["job"]!.GetValue<string>(), Assert.Single(second["items"]!.AsArray())!["job"]!.GetValue<string>());
    }
}
