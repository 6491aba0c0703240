using Berth.Kubernetes;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using Berth.Kubernetes.Usage;
using Berth.Runtime.Yield;
using Berth.TestKit.Kubernetes.Fake;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Cli.Tests.Showback;

/// <summary>
/// The operator with its dashboard (HTTPS, its own generated CA) against the fake API server, showback priced at
/// A100 2.5 and H100 4 EUR per GPU-hour, and usage seeded in ConfigMap berth-usage as an earlier leader wrote it:
/// alice in namespace alpha (queue team-a) 2 + 1 allocated A100-hours over 2026-12-02 and 03 (1 used), plus 10
/// on 2026-12-09 (outside the first week); bob in beta (team-b) 1.5 H100-hours (0.75 used) on 2026-12-03. No pod
/// runs, so the operator adds nothing to it. Tokens: <c>admin-token</c> may list queues (sees every namespace),
/// <c>alice-token</c> may list pods in alpha only. The CA's PEM is written to <see cref="CaFile"/>.
/// </summary>
public sealed class ShowbackOperator : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempDir _dir = new();

    public FakeApiServer Server { get; private set; } = null!;

    public OperatorHost Host { get; private set; } = null!;

    /// <summary>The dashboard's URL, https://127.0.0.1:PORT.</summary>
    public string Url => Host.DashboardAddress!.ToString().TrimEnd('/');

    /// <summary>The operator's CA in PEM (what <c>--certificate-authority</c> is given).</summary>
    public string CaFile => _dir.Combine("berth-ca.crt");

    /// <summary>Writes a test's own file into the fixture's temporary folder; returns its path.</summary>
    public string WriteFile(string name, string content) => _dir.File(name, content);

    /// <summary>A path in the fixture's temporary folder (for a file that is not there).</summary>
    public string PathOf(string name) => _dir.Combine(name);

    public async Task InitializeAsync()
    {
        Server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        foreach (var ns in new[] { "alpha", "beta", "berth-system" })
        {
            Server.Seed(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = ns } });
        }

        var ledger = new UsageLedger();
        ledger.Add(new UsageKey(new DateOnly(2026, 12, 2), "team-a", "alpha", "alice", "A100"), 7200, 3600, "job:alpha:train");
        ledger.Add(new UsageKey(new DateOnly(2026, 12, 3), "team-a", "alpha", "alice", "A100"), 3600, 0, "job:alpha:train");
        ledger.Add(new UsageKey(new DateOnly(2026, 12, 9), "team-a", "alpha", "alice", "A100"), 36000, 0, "job:alpha:later");
        ledger.Add(new UsageKey(new DateOnly(2026, 12, 3), "team-b", "beta", "bob", "H100"), 5400, 2700, "job:beta:tune");
        Server.Seed(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = UsageAccounting.ConfigMapName, NamespaceProperty = "berth-system" },
            Data = new Dictionary<string, string> { [UsageAccounting.DataKey] = ledger.ToJson("earlier-leader", 1, new DateTimeOffset(2026, 12, 10, 0, 0, 0, TimeSpan.Zero)) },
        });

        Server.Access.AddToken("admin-token", "admin");
        Server.Access.GrantResource("admin", "list", KubernetesNames.Group, "queues");
        Server.Access.AddToken("alice-token", "alice");
        Server.Access.GrantResource("alice", "list", "", "pods", inNamespace: "alpha");

        Host = OperatorHost.Create(new OperatorSettings
        {
            Identity = "showback", MetricsPort = 0, ProbePort = 0, WebhookPort = null, DashboardPort = 0, ListenAddress = "127.0.0.1",
            Prices = new PriceTable("EUR", new Dictionary<string, double> { ["A100"] = 2.5, ["H100"] = 4.0 }),
            Controller = new ControllerOptions { Resync = TimeSpan.FromMilliseconds(300) },
        }, Server.CreateClient(), TimeProvider.System, NullLoggerFactory.Instance);
        await Host.StartAsync();
        File.WriteAllText(CaFile, Host.Certificate.CaPem);

        // A tenant's namespaces come from the operator's cache: wait until it holds all three.
        var deadline = DateTime.UtcNow + Patience;
        while (!(Host.Controller.Ready && Host.Controller.Cache.Namespaces.Snapshot().Count == 3))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited {Patience.TotalSeconds} s for the operator's cache to list the namespaces");
            }

            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
