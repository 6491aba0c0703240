using Microsoft.AspNetCore.Hosting;
using Berth.Kubernetes.Controller;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Operator;

/// <summary>
/// <c>berth operator</c>: the controller, leader election on a <c>coordination.k8s.io/v1</c> Lease, and an HTTP
/// endpoint with <c>/metrics</c> (Prometheus text format), <c>/healthz</c> (the process is alive) and
/// <c>/readyz</c> (the cache has synced). Logs are structured (JSON lines on stdout by default).
/// </summary>
public sealed class OperatorHost : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    private OperatorHost(WebApplication web, BerthController controller, MetricsRegistry metrics, OperatorSettings settings, IKubernetes client)
    {
        _web = web;
        Controller = controller;
        Metrics = metrics;
        Settings = settings;
        Client = client;
    }

    private int _disposed;

    public BerthController Controller { get; }

    public MetricsRegistry Metrics { get; }

    public OperatorSettings Settings { get; }

    public IKubernetes Client { get; }

    /// <summary>Where <c>/metrics</c> answers (known after start).</summary>
    public Uri? MetricsAddress { get; private set; }

    /// <summary>Builds the host for <paramref name="settings"/> against <paramref name="client"/> (a real cluster, or a test's API server).</summary>
    public static OperatorHost Create(OperatorSettings settings, IKubernetes client, TimeProvider time, ILoggerFactory? loggers = null, bool jsonLogs = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggers is null)
        {
            if (jsonLogs)
            {
                builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
            }
            else
            {
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            }
        }

        builder.WebHost.UseUrls($"http://{settings.ListenAddress}:{settings.MetricsPort}");
        var web = builder.Build();
        var factory = loggers ?? web.Services.GetRequiredService<ILoggerFactory>();
        var metrics = new MetricsRegistry();
        var controller = new BerthController(client, settings.Controller, metrics, time, factory);
        var host = new OperatorHost(web, controller, metrics, settings, client);
        web.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        web.MapGet("/healthz", () => Results.Text("ok\n"));
        web.MapGet("/readyz", () => controller.Ready ? Results.Text("ok\n") : Results.Text("cache not synced\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        return host;
    }

    /// <summary>Starts the HTTP endpoint, the cache, leader election (if asked) and the decision loop.</summary>
    public async Task StartAsync()
    {
        await _web.StartAsync().ConfigureAwait(false);
        var addresses = _web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        MetricsAddress = addresses?.Addresses.Select(a => new Uri(a.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal))).FirstOrDefault();
        var token = _stop.Token;
        var loop = Controller.RunAsync(token);
        if (Settings.LeaderElect)
        {
            var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(Client, Settings.LeaseNamespace, Settings.LeaseName, Settings.Identity))
            {
                LeaseDuration = Settings.LeaseDuration,
                RenewDeadline = Settings.RenewDeadline,
                RetryPeriod = Settings.RetryPeriod,
            });
            elector.OnStartedLeading += () => Controller.IsLeader = true;
            elector.OnStoppedLeading += () => Controller.IsLeader = false;
            var election = Task.Run(async () =>
            {
                try
                {
                    await elector.RunAndTryToHoldLeadershipForeverAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // stopping
                }
                finally
                {
                    Controller.IsLeader = false;
                    elector.Dispose();
                }
            }, token);
            _run = Task.WhenAll(loop, election);
        }
        else
        {
            Controller.IsLeader = true;
            _run = loop;
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (Ctrl+C, SIGTERM).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await StartAsync().ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stop below
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Controller.IsLeader = false;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            try
            {
                await _run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        }

        await _web.StopAsync().ConfigureAwait(false);
        await _web.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>A client from a kubeconfig file, or in-cluster config when running in a pod.</summary>
    public static IKubernetes Connect(OperatorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = settings.Kubeconfig is null && KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(settings.Kubeconfig, settings.Context);
        return new k8s.Kubernetes(config);
    }
}
