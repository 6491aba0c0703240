using System.Net.Http.Headers;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.TestKit.Kubernetes.Fake;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Kubernetes.Tests.Views;

/// <summary>
/// A fake API server with two teams and the operator serving its dashboard: namespaces <c>alpha</c> (team a) and
/// <c>beta</c> (team b), queues <c>team-a</c> and <c>team-b</c> admitting only their team's namespaces, two 8-GPU
/// nodes; in alpha <c>train</c> runs on 8 GPUs and <c>wait-1</c>, <c>wait-2</c> wait for team-a's quota, in beta
/// <c>other</c> runs. Tokens: <c>admin-token</c> may list queues, <c>alice-token</c> may list pods in alpha,
/// <c>mallory-token</c> may do nothing. Started once per test class (xUnit class fixture).
/// </summary>
public sealed class DashboardCluster : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public FakeApiServer Server { get; private set; } = null!;

    public OperatorHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        foreach (var (ns, team) in new[] { ("alpha", "a"), ("beta", "b") })
        {
            Server.Seed(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { ["team"] = team } } });
        }

        Server.Seed(Objects.GpuNode("node-00", 8));
        Server.Seed(Objects.GpuNode("node-01", 8));
        Server.Seed(Objects.Flavor("a100", "a100"));
        foreach (var team in new[] { "a", "b" })
        {
            var queue = Objects.Queue("team-" + team, "a100", "8");
            Server.Seed(queue with { Spec = queue.Spec with { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = team } } } });
        }

        Server.Access.AddToken("admin-token", "admin");
        Server.Access.GrantResource("admin", "list", KubernetesNames.Group, "queues");
        Server.Access.AddToken("alice-token", "alice");
        Server.Access.GrantResource("alice", "list", "", "pods", inNamespace: "alpha");
        Server.Access.AddToken("mallory-token", "mallory");

        Host = OperatorHost.Create(new OperatorSettings
        {
            Identity = "dashboard", MetricsPort = 0, ProbePort = 0, WebhookPort = null, DashboardPort = 0, ListenAddress = "127.0.0.1",
            Controller = new ControllerOptions { Resync = TimeSpan.FromMilliseconds(300) },
        }, Server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance);
        await Host.StartAsync();
        using var client = Server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("train", gpus: 8, queue: "team-a", ns: "alpha"), "alpha");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("other", gpus: 8, queue: "team-b", ns: "beta"), "beta");
        await Until(() => Server.Bindings.Count == 2, "train and other are bound");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("wait-1", gpus: 4, queue: "team-a", ns: "alpha"), "alpha");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("wait-2", gpus: 4, queue: "team-a", ns: "alpha"), "alpha");
        await Until(() => WaitMessage("wait-1") is not null && WaitMessage("wait-2") is not null, "wait-1 and wait-2 are marked unschedulable");
        await Until(() => Host.Controller.LastDecision?.Plan.Outcomes.Count(o => !o.Running) == 2, "a decision sees both waiting");
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>An HTTPS client for the dashboard that trusts the operator's CA, with <paramref name="token"/> as bearer (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var http = Security.Https.Trusting(Host.Certificate, Host.DashboardAddress!);
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    /// <summary>What the controller wrote on a waiting pod of alpha (its PodScheduled=False message), null before.</summary>
    public string? WaitMessage(string pod) =>
        Server.Get<V1Pod>(pod, "alpha")?.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False")?.Message;

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
