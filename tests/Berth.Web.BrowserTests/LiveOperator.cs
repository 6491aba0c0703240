using Berth.Kubernetes;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.TestKit.Kubernetes;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Web.BrowserTests;

/// <summary>
/// <c>berth operator</c> with its dashboard, against the in-process fake API server: namespaces <c>alpha</c> (team a) and
/// <c>beta</c> (team b), queues <c>team-a</c> and <c>team-b</c> in cohort <c>lab</c> admitting only their team's
/// namespaces, two 8-GPU nodes; in alpha <c>train</c> runs on 8 GPUs and <c>wait-1</c>, <c>wait-2</c> wait for
/// team-a's quota, in beta <c>other</c> runs on 4. <c>admin-token</c> may list queues; <c>alice-token</c> may list pods in alpha.
/// </summary>
public sealed class LiveOperator : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private LiveOperator(FakeApiServer server, OperatorHost host)
    {
        Server = server;
        Host = host;
    }

    public FakeApiServer Server { get; }

    public OperatorHost Host { get; }

    /// <summary>The dashboard's address for <paramref name="route"/>, with <paramref name="token"/> in the fragment (never sent to the server).</summary>
    public string DashboardUrl(string route = "/", string token = "admin-token") =>
        new Uri(Host.DashboardAddress!, "ui/").AbsoluteUri + "#token=" + Uri.EscapeDataString(token) + "&route=" + Uri.EscapeDataString(route);

    public static async Task<LiveOperator> StartAsync()
    {
        var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        foreach (var (ns, team) in new[] { ("alpha", "a"), ("beta", "b") })
        {
            server.Seed(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["team"] = team } } });
        }

        server.Seed(Objects.GpuNode("node-00", 8));
        server.Seed(Objects.GpuNode("node-01", 8));
        server.Seed(Objects.Flavor("a100", "a100"));
        server.Seed(Objects.Cohort("lab"));
        foreach (var team in new[] { "a", "b" })
        {
            var queue = Objects.Queue("team-" + team, "a100", "8", cohort: "lab", borrowingLimit: "0");
            server.Seed(queue with { Spec = queue.Spec with { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = team } } } });
        }

        server.Access.AddToken("admin-token", "admin");
        server.Access.GrantResource("admin", "list", KubernetesNames.Group, "queues");
        server.Access.AddToken("alice-token", "alice");
        server.Access.GrantResource("alice", "list", "", "pods", inNamespace: "alpha");
        var host = OperatorHost.Create(new OperatorSettings
        {
            Identity = "dashboard", MetricsPort = 0, ProbePort = 0, WebhookPort = null, DashboardPort = 0, ListenAddress = "127.0.0.1",
            Controller = new ControllerOptions { Resync = TimeSpan.FromMilliseconds(300) },
        }, server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance);
        var live = new LiveOperator(server, host);
        await host.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("train", gpus: 8, queue: "team-a", ns: "alpha"), "alpha");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("other", gpus: 4, queue: "team-b", ns: "beta"), "beta");
        await live.UntilAsync(() => server.Bindings.Count == 2, "train and other are bound");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("wait-1", gpus: 4, queue: "team-a", ns: "alpha"), "alpha");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("wait-2", gpus: 2, queue: "team-a", ns: "alpha"), "alpha");
        await live.UntilAsync(() => host.Controller.LastDecision?.Plan.Outcomes.Count(o => !o.Running && o.Position is not null) == 2, "a decision puts both waiting pods in team-a's order");
        return live;
    }

    /// <summary>Where the last decision put a waiting pod of alpha: its reason code and message and its position in team-a.</summary>
    public (string Code, string Message, int Position) Waiting(string pod)
    {
        var o = Host.Controller.LastDecision!.Plan.Outcomes.Single(o => o.Namespace == "alpha" && o.Name == pod);
        return (o.Code!, o.Message!, o.Position!.Value);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Server.DisposeAsync();
    }

    private async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                await DisposeAsync();
                throw new TimeoutException($"waited {Patience.TotalSeconds} s for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
