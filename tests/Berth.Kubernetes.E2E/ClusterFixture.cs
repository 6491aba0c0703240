using System.Net;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Operator;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.E2E;

/// <summary>
/// One Berth operator for the whole suite, run in this process against the cluster of <c>KUBECONFIG</c>: the
/// same <see cref="OperatorHost"/> that <c>berth operator</c> runs, with leader election on the Lease that the
/// deployed operator uses, as the ServiceAccount of deploy/rbac.yaml (no image to build or load). Before it
/// starts, it checks that the cluster is one <c>deploy/kind/setup.sh</c> prepared, and says what to do if not.
/// Does nothing when <c>KUBECONFIG</c> is unset (every test is skipped then).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private const string BerthNamespace = "berth-system";
    private OperatorHost? _host;
    private OperatorLog? _log;
    private ILoggerFactory? _loggers;

    /// <summary>A client with the kubeconfig's own rights, for the tests to create and read objects.</summary>
    public IKubernetes Admin { get; private set; } = null!;

    public OperatorHost Operator => _host ?? throw new InvalidOperationException("the operator is not running (KUBECONFIG is not set)");

    /// <summary>A random id of this run, in the names and labels of what the suite creates.</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..6];

    /// <summary>The operator's last log lines, for failure messages.</summary>
    public string LogTail(int lines = 40) => _log?.Tail(lines) ?? string.Empty;

    public async Task InitializeAsync()
    {
        if (ClusterEnvironment.SkipReason is not null)
        {
            return;
        }

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(ClusterEnvironment.Kubeconfig, ClusterEnvironment.Context);
        Admin = new k8s.Kubernetes(config);
        await CheckClusterAsync().ConfigureAwait(false);
        var operatorClient = ClusterEnvironment.OperatorAsServiceAccount ? await ServiceAccountClientAsync(config).ConfigureAwait(false) : Admin;

        _log = new OperatorLog(ClusterEnvironment.OperatorLogFile);
        _loggers = LoggerFactory.Create(b => b.AddProvider(_log).SetMinimumLevel(LogLevel.Information));
        var settings = new OperatorSettings
        {
            LeaderElect = true,
            LeaseNamespace = BerthNamespace,
            Identity = "berth-e2e-" + Environment.MachineName,
            MetricsPort = 0,
            ProbePort = 0,
            WebhookPort = null,
            ListenAddress = "127.0.0.1",
            Controller = new ControllerOptions { Resync = TimeSpan.FromSeconds(5) },
        };
        _host = OperatorHost.Create(settings, operatorClient, TimeProvider.System, _loggers);
        await _host.StartAsync().ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(_host.Controller.Ready && _host.Controller.IsLeader))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"the in-process operator did not {(_host.Controller.Ready ? "win the Lease berth-system/berth-scheduler" : "sync its cache")} within 60 s. "
                    + $"Is another Berth running (kubectl -n {BerthNamespace} get lease berth-scheduler)?\n{LogTail()}");
            }

            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        _loggers?.Dispose();
        _log?.Dispose();
    }

    /// <summary>Refuses a cluster the suite was not meant for, naming the fix.</summary>
    private async Task CheckClusterAsync()
    {
        var nodes = await Admin.CoreV1.ListNodeAsync(labelSelector: $"{ClusterEnvironment.FakeGpuLabel}={ClusterEnvironment.FakeGpuLabelValue}").ConfigureAwait(false);
        int Gpus(V1Node n) => n.Status?.Allocatable?.TryGetValue(KubernetesNames.GpuResource, out var q) == true ? (int)q.ToDecimal() : 0;
        bool Product(V1Node n, string product) => n.Metadata.Labels?.TryGetValue(KubernetesNames.GpuProductLabel, out var p) == true && p == product;
        var a100 = nodes.Items.Count(n => Product(n, ClusterEnvironment.A100) && Gpus(n) >= 8);
        var h100 = nodes.Items.Count(n => Product(n, ClusterEnvironment.H100) && Gpus(n) >= 8);
        if (a100 < 2 || h100 < 1)
        {
            throw new InvalidOperationException(
                $"this cluster has {a100} nodes labelled {ClusterEnvironment.FakeGpuLabel}={ClusterEnvironment.FakeGpuLabelValue} with 8 {ClusterEnvironment.A100} GPUs and {h100} with 8 {ClusterEnvironment.H100}; "
                + "the suite needs 2 and 1. It creates cluster-scoped objects and binds pods, so it runs only on a cluster made by deploy/kind/setup.sh "
                + "(after a node restart the fake GPUs are gone: run deploy/kind/setup.sh --gpus-only).");
        }

        try
        {
            await Admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("queues." + KubernetesNames.Group).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException("Berth's CRDs are not installed: kubectl apply -f deploy/crds/ (deploy/kind/setup.sh does it)", e);
        }

        try
        {
            var deployment = await Admin.AppsV1.ReadNamespacedDeploymentAsync("berth-operator", BerthNamespace).ConfigureAwait(false);
            if (deployment.Spec.Replicas is null or > 0)
            {
                throw new InvalidOperationException(
                    $"deploy/operator.yaml's Berth runs in the cluster; it would compete with the operator under test. Scale it down first: kubectl -n {BerthNamespace} scale deployment/berth-operator --replicas=0");
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // not deployed: good
        }
    }

    /// <summary>A client that authenticates as the ServiceAccount berth-system/berth with a short-lived token (TokenRequest API).</summary>
    private async Task<IKubernetes> ServiceAccountClientAsync(KubernetesClientConfiguration admin)
    {
        Authenticationv1TokenRequest token;
        try
        {
            token = await Admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
                new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 } }, "berth", BerthNamespace).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new InvalidOperationException(
                "the ServiceAccount berth-system/berth does not exist: kubectl apply -f deploy/rbac.yaml (deploy/kind/setup.sh does it), or set BERTH_E2E_OPERATOR_AS=kubeconfig", e);
        }

        return new k8s.Kubernetes(new KubernetesClientConfiguration
        {
            Host = admin.Host,
            SslCaCerts = admin.SslCaCerts,
            SkipTlsVerify = admin.SkipTlsVerify,
            TlsServerName = admin.TlsServerName,
            AccessToken = token.Status.Token,
        });
    }
}
