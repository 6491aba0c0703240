using Microsoft.AspNetCore.Hosting;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Telemetry;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Operator;

/// <summary>
/// <c>berth operator</c>: the controller, leader election on a <c>coordination.k8s.io/v1</c> Lease, and up to four
/// listeners: health probes over plain HTTP (<c>/healthz</c>, <c>/readyz</c>: "ok" or not, nothing else),
/// <c>/metrics</c> over HTTPS for callers the API server authenticates (TokenReview) and authorizes
/// (SubjectAccessReview on the non-resource URL), the admission webhook over HTTPS, and (when asked) the read-only
/// dashboard and visibility API over HTTPS for viewers the API server authorizes. Logs are structured
/// (JSON lines on stdout by default).
/// </summary>
public sealed class OperatorHost : IAsyncDisposable
{
    private readonly WebApplication _probes;
    private readonly WebApplication _metricsWeb;
    private readonly WebApplication? _webhookWeb;
    private readonly WebApplication? _dashboardWeb;
    private readonly Views.OperatorViews? _views;
    private Task _warm = Task.CompletedTask;
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    private OperatorHost(WebApplication probes, WebApplication metricsWeb, WebApplication? webhookWeb, WebApplication? dashboardWeb, Views.OperatorViews? views, BerthController controller, MetricsRegistry metrics, OperatorSettings settings, IKubernetes client, CertificateSlot certificate, TimeProvider time, ILoggerFactory loggers)
    {
        _time = time;
        _loggers = loggers;
        _probes = probes;
        _metricsWeb = metricsWeb;
        _webhookWeb = webhookWeb;
        _dashboardWeb = dashboardWeb;
        _views = views;
        Controller = controller;
        Metrics = metrics;
        Settings = settings;
        Client = client;
        _certificate = certificate;
    }

    private readonly CertificateSlot _certificate;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    private int _disposed;

    public BerthController Controller { get; }

    public MetricsRegistry Metrics { get; }

    public OperatorSettings Settings { get; }

    public IKubernetes Client { get; }

    /// <summary>The TLS certificate of <c>/metrics</c> and the webhook (cert-manager's, or the operator's own); known after start.</summary>
    public ServingCertificate Certificate => _certificate.Current ?? throw new InvalidOperationException("the certificate is known once the host has started");

    /// <summary>Where <c>/metrics</c> answers over HTTPS (known after start).</summary>
    public Uri? MetricsAddress { get; private set; }

    /// <summary>Where <c>/healthz</c> and <c>/readyz</c> answer over HTTP (known after start).</summary>
    public Uri? ProbeAddress { get; private set; }

    /// <summary>Where the read-only dashboard and its API answer over HTTPS (<c>/ui</c>, <c>/api/v1</c>); null when they are off.</summary>
    public Uri? DashboardAddress { get; private set; }

    /// <summary>Where the webhook answers over HTTPS (<c>/mutate</c>, <c>/validate</c>); null when it is off.</summary>
    public Uri? WebhookAddress { get; private set; }

    /// <summary>
    /// One client for every Prometheus query of the process (connections pooled, re-resolved every few minutes);
    /// its own timeout is off because each read has one on the injected clock (<see cref="TelemetryOptions.Timeout"/>).
    /// </summary>
    private static readonly HttpClient PrometheusHttp = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Builds the host for <paramref name="settings"/> against <paramref name="client"/> (a real cluster, or a test's API server).</summary>
    public static OperatorHost Create(OperatorSettings settings, IKubernetes client, TimeProvider time, ILoggerFactory? loggers = null, bool jsonLogs = true)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        var certificate = new CertificateSlot();
        var probes = Web(settings, loggers, jsonLogs, settings.ProbePort, null);
        var factory = loggers ?? probes.Services.GetRequiredService<ILoggerFactory>();
        var metrics = new MetricsRegistry();
        var options = settings.Controller with { Namespace = settings.LeaseNamespace };
        var telemetry = settings.Telemetry is { } t
            ? new GpuTelemetry(new PrometheusReader(PrometheusHttp, t, time), t, time, factory.CreateLogger("Berth.Telemetry"), metrics)
            : null;
        var controller = new BerthController(client, options, metrics, time, factory, telemetry);
        probes.MapGet("/healthz", () => Results.Text("ok\n"));
        probes.MapGet("/readyz", () => controller.Ready ? Results.Text("ok\n") : Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable));

        var metricsWeb = Web(settings, loggers, jsonLogs, settings.MetricsPort, certificate);
        var authorizer = new MetricsAuthorizer(client);
        metricsWeb.MapGet("/metrics", async (HttpContext context) =>
        {
            var status = await authorizer.AuthorizeAsync(context.Request.Headers.Authorization.FirstOrDefault(), context.RequestAborted).ConfigureAwait(false);
            if (status != StatusCodes.Status200OK)
            {
                context.Response.StatusCode = status;
                return;
            }

            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });

        WebApplication? webhookWeb = null;
        if (settings.WebhookPort is { } webhookPort)
        {
            webhookWeb = Web(settings, loggers, jsonLogs, webhookPort, certificate);
            var cache = controller.Cache;
            var view = new Webhook.WebhookView(() => controller.Ready, cache.Queues.Get, cache.PriorityClasses.Get, cache.Namespaces.Get);
            var handler = new Webhook.AdmissionReviewHandler($"system:serviceaccount:{settings.LeaseNamespace}:{settings.ServiceAccountName}", view, settings.Controller.ServingPriorityClass);
            webhookWeb.MapPost("/mutate", (HttpContext context) => ReviewAsync(context, handler.Mutate));
            webhookWeb.MapPost("/validate", (HttpContext context) => ReviewAsync(context, handler.Validate));
        }

        WebApplication? dashboardWeb = null;
        Views.OperatorViews? views = null;
        if (settings.DashboardPort is { } dashboardPort)
        {
            dashboardWeb = Web(settings, loggers, jsonLogs, dashboardPort, certificate);
            views = new Views.OperatorViews(controller, time);
            Views.OperatorDashboard.Map(dashboardWeb, controller, views, new Views.ViewerAuthorizer(client, time), time, settings.Prices);
        }

        return new OperatorHost(probes, metricsWeb, webhookWeb, dashboardWeb, views, controller, metrics, settings, client, certificate, time, factory);
    }

    private static WebApplication Web(OperatorSettings settings, ILoggerFactory? loggers, bool jsonLogs, int port, CertificateSlot? tls)
    {
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

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(System.Net.IPAddress.Parse(settings.ListenAddress), port, listen =>
            {
                if (tls is not null)
                {
                    listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => tls.Current?.Certificate);
                }
            });
        });
        return builder.Build();
    }

    /// <summary>One AdmissionReview: a body that is not one gets 400 with the reason, never an exception page.</summary>
    private static async Task ReviewAsync(HttpContext context, Func<JsonNode?, JsonObject> review)
    {
        JsonObject answer;
        try
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            answer = review(body);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("not an admission.k8s.io/v1 AdmissionReview: " + e.Message, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static Uri? Address(WebApplication web)
    {
        var addresses = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        return addresses?.Addresses.Select(a => new Uri(a.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal))).FirstOrDefault();
    }

    /// <summary>Starts the listeners (and puts a generated CA into the webhook configurations), the cache, leader election (if asked) and the decision loop.</summary>
    public async Task StartAsync()
    {
        _certificate.Current = ServingCertificate.Load(Settings.CertificateDirectory)
            ?? await ServingCertificate.LoadOrCreateAsync(Client, Settings.LeaseNamespace, ServingCertificate.ServiceNames(Settings.ServiceName, Settings.LeaseNamespace), _time.GetUtcNow(), _stop.Token).ConfigureAwait(false);
        await _probes.StartAsync().ConfigureAwait(false);
        await _metricsWeb.StartAsync().ConfigureAwait(false);
        ProbeAddress = Address(_probes);
        MetricsAddress = Address(_metricsWeb);
        if (_webhookWeb is not null)
        {
            await _webhookWeb.StartAsync().ConfigureAwait(false);
            WebhookAddress = Address(_webhookWeb);
            if (Certificate.Generated)
            {
                await WebhookConfigurations.PatchCaBundleAsync(Client, Settings.WebhookConfigurationName, Certificate.CaPem, _stop.Token).ConfigureAwait(false);
            }
        }

        if (_dashboardWeb is not null)
        {
            await _dashboardWeb.StartAsync().ConfigureAwait(false);
            DashboardAddress = Address(_dashboardWeb);
            _warm = Task.Run(() => Views.DashboardWarmUp.RunAsync(DashboardAddress!, Certificate, _views!, Controller, _time, _stop.Token), CancellationToken.None);
        }

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
            var log = _loggers.CreateLogger("Berth.Leader");
            elector.OnStartedLeading += () =>
            {
                log.LogInformation("leading as {Identity}", Settings.Identity);
                Controller.IsLeader = true;
            };
            elector.OnStoppedLeading += () =>
            {
                log.LogInformation("stopped leading as {Identity}", Settings.Identity);
                Controller.IsLeader = false;
            };
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

        if (Controller.IsLeader)
        {
            // Write what showback counted since the last flush before giving up the lead (best effort, bounded).
            using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
            try
            {
                await Controller.Usage.FlushAsync(flush.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // not written in time: at most one flush interval of usage is lost
            }
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

        await _warm.ConfigureAwait(false);
        foreach (var web in new[] { _probes, _metricsWeb, _webhookWeb, _dashboardWeb })
        {
            if (web is not null)
            {
                await web.StopAsync().ConfigureAwait(false);
                await web.DisposeAsync().ConfigureAwait(false);
            }
        }

        _certificate.Current?.Dispose();
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
