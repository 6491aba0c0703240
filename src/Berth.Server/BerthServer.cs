using System.Globalization;
using System.Threading.RateLimiting;
using Berth.Server.Access;
using Berth.Server.Api;
using Berth.Server.Clock;
using Berth.Server.Executors;
using Berth.Server.Loop;
using Berth.Server.Store;
using Berth.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Berth.Server;

/// <summary>
/// One Berth server: the store opened (and migrated) from the data directory, the decision loop, and the HTTP API on
/// Kestrel. <see cref="StartAsync"/> returns once it listens; the first decision cycle has run by then, so a restart
/// has rebuilt everything from the store before the first request is answered.
/// </summary>
public sealed class BerthServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private Task _loopTask = Task.CompletedTask;
    private Task _demoTask = Task.CompletedTask;
    private Task _warmTask = Task.CompletedTask;

    private BerthServer(WebApplication app, ServerContext context, string? adminToken)
    {
        _app = app;
        Context = context;
        AdminToken = adminToken;
    }

    public ServerContext Context { get; }

    public ServerStore Store => Context.Store;

    public DecisionLoop Loop => Context.Loop;

    /// <summary>The admin token made on first start (null when the store had tokens already): print it once.</summary>
    public string? AdminToken { get; }

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Failed cycles (logged; the next cycle tries again).</summary>
    public int CycleErrors { get; private set; }

    public static async Task<BerthServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Cluster.Validate();
        var store = ServerStore.Open(options.DataDirectory, options.Cluster.Configuration, options.LocalMachine is null ? Jobs.JobRules.Simulated : Jobs.JobRules.Local);
        try
        {
            var time = options.Clock ?? ScaledClock(store, options.TimeScale);
            var tokens = new TokenRegistry(store, time);
            var admin = tokens.EnsureAdmin(options.DataDirectory);
            var metrics = new ServerMetrics();
            IExecutor executor = options.LocalMachine is { } machine ? new LocalExecutor(options.DataDirectory, machine, TimeProvider.System, options.StopGrace) : new SimulatedExecutor();
            options.GpuTelemetry?.Validate();
            var gpus = options.GpuTelemetry is { } telemetry && options.LocalMachine is { Node.GpuCount: > 0 } local && executor is LocalExecutor processes
                ? new Berth.Server.Telemetry.LocalGpuTelemetry(local, telemetry, processes.Launchers)
                : null;
            // Fragmentation-aware placement needs GPUs to measure; a CPU-only machine places by best fit.
            var cycle = options.Cluster.Nodes.Any(n => n.GpuCount > 0) ? options.Cycle : options.Cycle with { Admission = options.Cycle.Admission with { PlacementPolicy = "bestfit" } };
            // Admins' queue edits kept in the store come back on top of the configuration (one that no longer fits is dropped).
            var dropped = new List<string>();
            var edited = Berth.Server.Loop.QueueEdits.ApplyKept(options.Cluster, store.Meta(Berth.Server.Loop.QueueEdits.MetaKey), dropped, store.Meta(Berth.Server.Loop.QueueEdits.CohortMetaKey));
            var loop = new DecisionLoop(store, edited, time, executor, cycle, metrics, gpus);
            var context = new ServerContext(store, loop, tokens, options.Cluster, time, executor, metrics) { DataDirectory = options.DataDirectory, Warnings = dropped, Prices = options.Prices };
            loop.RunOnce(); // rebuilt from the store before the first request

            var app = Build(options, context);
            var server = new BerthServer(app, context, admin);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            server._warmTask = Task.Run(() => Warm(context), CancellationToken.None);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server.Url = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal) + "/");
            if (options.CycleInterval is { } interval)
            {
                var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<BerthServer>();
                server._loopTask = Task.Run(() => loop.RunAsync(interval, options.CycleGap, TimeProvider.System, e =>
                {
                    server.CycleErrors++;
                    logger.LogError(e, "decision cycle failed; the next cycle tries again");
                }, server._stopping.Token), CancellationToken.None);
            }

            if (options.DemoInterval is { } every)
            {
                var demo = new Demo.DemoLoad(store, loop, options.Cluster, time);
                server._demoTask = Task.Run(() => demo.RunAsync(every, TimeProvider.System, server._stopping.Token), CancellationToken.None);
            }

            return server;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the server stops (Ctrl+C or <paramref name="cancellationToken"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the loop and the listener and closes the store; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loopTask.ConfigureAwait(false);
        await _demoTask.ConfigureAwait(false);
        await _warmTask.ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Context.Store.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// Runs the dashboard's read path once in the background after the server listens (each view, one job, to JSON), so
    /// that the first person to open the dashboard does not wait for its code to be compiled. It reads only.
    /// </summary>
    private static void Warm(ServerContext context)
    {
        var views = new ServerViews(context);
        var scope = ViewScope.All;
        var page = views.Jobs(new JobQuery(null, null, null, null, 1), scope);
        System.Text.Json.JsonSerializer.Serialize(page, ApiJson.Responses);
        System.Text.Json.JsonSerializer.Serialize(views.Queues(scope), ApiJson.Responses);
        System.Text.Json.JsonSerializer.Serialize(views.Cohorts(scope), ApiJson.Responses);
        System.Text.Json.JsonSerializer.Serialize(views.Nodes(scope), ApiJson.Responses);
        System.Text.Json.JsonSerializer.Serialize(views.Timeline(scope, null), ApiJson.Responses);
        _ = DashboardAssets.Names.Count;
    }

    /// <summary>The real clock, scaled, starting no earlier than the last time the store saw (the clock never goes back).</summary>
    private static ScaledTimeProvider ScaledClock(ServerStore store, double scale)
    {
        var now = TimeProvider.System.GetUtcNow();
        if (store.Meta(DecisionLoop.ClockKey) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks > now.UtcTicks)
        {
            now = new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        return new ScaledTimeProvider(TimeProvider.System, scale, now);
    }

    private static WebApplication Build(ServerOptions options, ServerContext context)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.DataDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.AddServerHeader = false;
            k.Listen(options.Listen, options.Port, listen =>
            {
                if (options.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        builder.Services.AddSingleton(context);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            foreach (var converter in ApiJson.Responses.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }

            o.SerializerOptions.DefaultIgnoreCondition = ApiJson.Responses.DefaultIgnoreCondition;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            r.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetTokenBucketLimiter(
                http.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RequestsPerSecond,
                    TokensPerPeriod = Math.Max(1, options.RequestsPerSecond / 10),
                    ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            r.OnRejected = async (ctx, token) =>
            {
                await Problems.Of(429, "Authorization", "too many requests from this token; slow down and retry after a moment").ExecuteAsync(ctx.HttpContext).ConfigureAwait(false);
            };
        });

        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            await next(http).ConfigureAwait(false);
            if (http.Response.StatusCode is >= 400 and < 500)
            {
                context.Metrics.Refused.WithLabels(http.Response.StatusCode.ToString(CultureInfo.InvariantCulture)).Inc();
            }
        });
        app.UseRateLimiter();
        app.Use((http, next) => CallerAccess.Check(http, next, context.Tokens));
        app.MapOpenApi();
        app.MapGet("/healthz", () => Results.Text("ok")).WithTags("health").ExcludeFromDescription();
        app.MapGet("/readyz", () => context.Loop.Ready ? Results.Text("ready") : Results.Text("not ready: the first decision cycle has not run", statusCode: 503)).WithTags("health").ExcludeFromDescription();
        app.MapMetrics("/metrics", context.Metrics.Registry);
        app.MapClusterViews(new ClusterViewsOptions(new ServerViews(context), http => http.Scope()));
        app.MapJobs();
        app.MapCluster();
        app.MapRightSizing();
        app.MapUsage();
        return app;
    }
}
