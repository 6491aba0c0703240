using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Controller;

public sealed class OperatorHostTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoReplicas_OnlyTheLeaderBinds_AndTheStandbyTakesOverWhenTheLeaseLapses()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        server.Seed(Objects.GpuNode("node-00", 8));
        server.Seed(Objects.Flavor("a100", "a100"));
        server.Seed(Objects.Queue("team-a", "a100", "8"));
        var a = Replica(server, "replica-a");
        var b = Replica(server, "replica-b");
        await a.StartAsync();
        await b.StartAsync();
        try
        {
            await Until(() => a.Controller.IsLeader || b.Controller.IsLeader, "a leader is elected");
            var (leader, standby) = a.Controller.IsLeader ? (a, b) : (b, a);
            Assert.False(standby.Controller.IsLeader);

            using var client = server.CreateClient();
            for (var i = 0; i < 4; i++)
            {
                await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"p{i}", gpus: 1, queue: "team-a"), Objects.Ns);
            }

            await Until(() => server.Bindings.Count == 4 && leader.Controller.PodsBound == 4, "the leader binds the 4 pods");
            Assert.Equal(0, standby.Controller.PodsBound);
            Assert.Equal(0, standby.Controller.Cycles);

            // The leader stops; the standby takes the lease once it lapses (or is released), then leads.
            await leader.DisposeAsync();
            for (var i = 4; i < 8; i++)
            {
                await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"p{i}", gpus: 1, queue: "team-a"), Objects.Ns);
            }

            await Until(() => standby.Controller.IsLeader, "the standby takes the lease");
            await Until(() => server.Bindings.Count == 8 && standby.Controller.PodsBound == 4, "the new leader binds the 4 new pods");
            Assert.Equal(8, server.Bindings.Select(x => x.Pod).Distinct().Count());
            Assert.Equal(8, server.RequestCount("create", "pods/binding"));
            var lease = server.Get<V1Lease>("berth-scheduler", "berth-system")!;
            Assert.Equal(standby.Settings.Identity, lease.Spec.HolderIdentity);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task Endpoints_AfterSync_ReadyHealthyAndMetricsInPrometheusText()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        server.Seed(Objects.GpuNode("node-00", 8));
        await using var host = OperatorHost.Create(Settings("solo", leaderElect: false), server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance);
        await host.StartAsync();
        using var probes = new HttpClient { BaseAddress = host.ProbeAddress };
        using var http = Security.Https.Trusting(host.Certificate, host.MetricsAddress!);
        server.Access.AddToken("scraper-token", "system:serviceaccount:monitoring:prometheus");
        server.Access.Grant("system:serviceaccount:monitoring:prometheus", "get", "/metrics");
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "scraper-token");

        await Until(() => host.Controller.Ready, "the cache syncs");
        var ready = await probes.GetAsync(new Uri("/readyz", UriKind.Relative));
        var healthy = await probes.GetAsync(new Uri("/healthz", UriKind.Relative));
        var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await metrics.Content.ReadAsStringAsync();

        Assert.True(ready.IsSuccessStatusCode);
        Assert.True(healthy.IsSuccessStatusCode);
        Assert.Equal("ok\n", await healthy.Content.ReadAsStringAsync()); // probes reveal nothing
        Assert.Equal(System.Net.HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("berth_leader 1", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE berth_admission_wait_seconds histogram", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_WithPrometheusDown_StillSyncsAndDecidesAndCountsTheFailedReads()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        server.Seed(Objects.GpuNode("node-00", 8));
        var settings = Settings("solo", leaderElect: false) with
        {
            Telemetry = new Berth.Kubernetes.Telemetry.TelemetryOptions { PrometheusUrl = new Uri("http://127.0.0.1:1"), Interval = TimeSpan.FromMilliseconds(200) },
        };
        await using var host = OperatorHost.Create(settings, server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance);
        await host.StartAsync();

        await Until(() => host.Controller.Ready && host.Controller.Cycles > 0, "the controller syncs and decides");
        await Until(() => host.Controller.Telemetry?.LastReading is { Failure: "unreachable" }, "a telemetry read fails");

        Assert.NotNull(host.Controller.Telemetry);
        Assert.Empty(host.Controller.Telemetry.ActivityByPod());
    }

    private static OperatorHost Replica(FakeApiServer server, string identity) =>
        OperatorHost.Create(Settings(identity, leaderElect: true), server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance);

    private static OperatorSettings Settings(string identity, bool leaderElect) => new()
    {
        Identity = identity,
        LeaderElect = leaderElect,
        LeaseDuration = TimeSpan.FromSeconds(4),
        RenewDeadline = TimeSpan.FromSeconds(3),
        RetryPeriod = TimeSpan.FromMilliseconds(300),
        MetricsPort = 0,
        ProbePort = 0,
        WebhookPort = 0,
        ListenAddress = "127.0.0.1",
        Controller = new ControllerOptions { Resync = TimeSpan.FromMilliseconds(500) },
    };

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {Patience.TotalSeconds} s for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
