using Berth.Kubernetes.Views;
using Berth.TestKit;
using Berth.TestKit.Kubernetes.Fake;

namespace Berth.Kubernetes.Tests.Views;

/// <summary>
/// Who may read the operator's views, decided by the fake API server's TokenReview and SubjectAccessReview with RBAC's
/// rules: an administrator who may list queues sees everything, a tenant sees the namespaces where they may list pods.
/// </summary>
public sealed class ViewerAuthorizerTests : IAsyncLifetime
{
    private static readonly string[] Namespaces = ["alpha", "beta", "gamma"];
    private FakeApiServer _server = null!;
    private k8s.Kubernetes _client = null!;

    public sealed record AccessCase(string Name, string? Header, int Status, bool EveryQueue, string[] Sees)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<AccessCase> Cases => new()
    {
        new AccessCase("no Authorization header is 401", null, 401, false, []),
        new AccessCase("a header that is not a bearer token is 401", "Basic dXNlcjpwYXNz", 401, false, []),
        new AccessCase("a token the API server rejects is 401", "Bearer forged", 401, false, []),
        new AccessCase("a user who may list queues sees every queue", "Bearer admin-token", 200, true, []),
        new AccessCase("a RoleBinding to list pods in alpha shows alpha only", "Bearer alice-token", 200, false, ["alpha"]),
        new AccessCase("a RoleBinding to a group counts for its members", "Bearer bob-token", 200, false, ["beta", "gamma"]),
        new AccessCase("a ClusterRoleBinding to list pods shows every namespace", "Bearer ops-token", 200, false, ["alpha", "beta", "gamma"]),
        new AccessCase("a user who may only get pods sees nothing: 403", "Bearer carol-token", 403, false, []),
        new AccessCase("an authenticated user with no grant is 403", "Bearer nobody-token", 403, false, []),
    };

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        _client = _server.CreateClient();
        var access = _server.Access;
        access.AddToken("admin-token", "admin");
        access.GrantResource("admin", "list", KubernetesNames.Group, "queues");
        access.AddToken("alice-token", "alice");
        access.GrantResource("alice", "list", "", "pods", inNamespace: "alpha");
        access.GrantResource("alice", "list", "", "pods/log", inNamespace: "beta"); // a subresource is not the resource
        access.AddToken("bob-token", "bob", "ml-team");
        access.GrantGroupResource("ml-team", "*", "", "pods", inNamespace: "beta");
        access.GrantGroupResource("ml-team", "list", "*", "*", inNamespace: "gamma");
        access.AddToken("ops-token", "ops");
        access.GrantResource("ops", "list", "", "pods");
        access.AddToken("carol-token", "carol");
        access.GrantResource("carol", "get", "", "pods", inNamespace: "alpha");
        access.GrantResource("carol", "list", KubernetesNames.Group, "queues", inNamespace: "alpha"); // a RoleBinding cannot grant a cluster-scoped list
        access.AddToken("nobody-token", "nobody");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Authorize_DecidesByTokenReviewAndRbac(AccessCase c)
    {
        var authorizer = new ViewerAuthorizer(_client, new ManualTime());

        var access = await authorizer.AuthorizeAsync(c.Header, Namespaces, CancellationToken.None);

        Assert.Equal(c.Status, access.Status);
        Assert.Equal(c.Status == 200, access.Viewer is not null);
        if (access.Viewer is { } viewer)
        {
            Assert.Equal(c.EveryQueue, viewer.EveryQueue);
            Assert.Equal(c.Sees, viewer.Namespaces.Order(StringComparer.Ordinal).ToArray());
            Assert.Contains("system:authenticated", viewer.Groups);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(access.Detail));
        }
    }

    [Fact]
    public async Task Authorize_ReusesAnAnswerForItsTime_ThenAsksAgain()
    {
        var time = new ManualTime();
        var authorizer = new ViewerAuthorizer(_client, time) { CacheFor = TimeSpan.FromSeconds(10) };

        var first = await authorizer.AuthorizeAsync("Bearer alice-token", Namespaces, CancellationToken.None);
        var reviews = _server.Access.SubjectAccessReviews;
        _server.Access.RevokeToken("alice-token");
        var cached = await authorizer.AuthorizeAsync("Bearer alice-token", Namespaces, CancellationToken.None);
        time.Advance(11);
        var later = await authorizer.AuthorizeAsync("Bearer alice-token", Namespaces, CancellationToken.None);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, cached.Status);
        Assert.Equal(reviews, _server.Access.SubjectAccessReviews); // the cached answer asked nothing
        Assert.Equal(401, later.Status); // the revoked token counts once the answer expires
    }

    [Fact]
    public async Task Authorize_WhenTheApiServerFails_Is503_AndIsNotCached()
    {
        var authorizer = new ViewerAuthorizer(_client, new ManualTime());
        _server.FailNext("create", "tokenreviews", 500);

        var failed = await authorizer.AuthorizeAsync("Bearer alice-token", Namespaces, CancellationToken.None);
        var next = await authorizer.AuthorizeAsync("Bearer alice-token", Namespaces, CancellationToken.None);

        Assert.Equal(503, failed.Status);
        Assert.Contains("API server", failed.Detail, StringComparison.Ordinal);
        Assert.Equal(200, next.Status);
    }
}
