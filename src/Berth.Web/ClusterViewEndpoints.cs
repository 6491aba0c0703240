using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Berth.Web;

/// <summary>
/// The read endpoints under <c>/api/v1</c> (jobs, one job, queues, cohorts, nodes, timeline, the change stream, info)
/// and the dashboard under <c>/ui</c>, the same for every host. Bad filters and unknown ids are problems (RFC 9457)
/// naming the query parameter at fault; nothing here changes anything.
/// </summary>
public static class ClusterViewEndpoints
{
    public const int MaxPage = 5000;

    public const int DefaultPage = 500;

    public static IEndpointRouteBuilder MapClusterViews(this IEndpointRouteBuilder app, ClusterViewsOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var views = options.Views;
        var scope = options.Scope;
        var api = app.MapGroup("/api/v1");
        api.MapGet("/info", (HttpContext http) => Json(new ViewsInfo(views.Source, views.ReadOnly, views.Logs, scope(http).User)))
            .WithTags("views").WithName("ViewsInfo").Produces<ViewsInfo>();
        api.MapGet("/jobs", (HttpContext http, string? queue, string? state, string? user, string? limit, string? after) => Jobs(views, scope(http), queue, state, user, limit, after))
            .WithTags("jobs").WithName("ListJobs").Produces<JobList>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403);
        // An id may hold a '/' (a Kubernetes workload is namespace/name): sent as %2F, which routing leaves encoded.
        api.MapGet("/jobs/{id}", (HttpContext http, string id) => views.Job(id.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase), scope(http)) is { } job ? Json(job) : Problems.NotFound(id))
            .WithTags("jobs").WithName("GetJob").Produces<JobView>().ProducesProblem(401).ProducesProblem(404);
        api.MapGet("/queues", (HttpContext http) => Json(views.Queues(scope(http)))).WithTags("queues").WithName("ListQueues").Produces<QueueView[]>().ProducesProblem(401);
        api.MapGet("/cohorts", (HttpContext http) => Json(views.Cohorts(scope(http)))).WithTags("queues").WithName("ListCohorts").Produces<CohortView[]>().ProducesProblem(401);
        api.MapGet("/nodes", (HttpContext http) => Json(views.Nodes(scope(http)))).WithTags("nodes").WithName("ListNodes").Produces<NodeView[]>().ProducesProblem(401);
        api.MapGet("/timeline", (HttpContext http, string? since) => Timeline(views, scope(http), since))
            .WithTags("views").WithName("Timeline").Produces<TimelineView>().ProducesProblem(400).ProducesProblem(401);
        api.MapGet("/events", (HttpContext http, IHostApplicationLifetime life) => StreamAsync(http, views.Subscribe(scope(http)), life))
            .WithTags("events").WithName("StreamChanges").Produces<ChangeView>(200, "text/event-stream").ProducesProblem(401);
        PendingWorkloadEndpoints.Map(api, views, scope);
        DashboardAssets.Map(app, options.RedirectRoot);
        return app;
    }

    private static IResult Json<T>(T value) => Results.Json(value, ApiJson.Responses);

    private static IResult Jobs(IClusterViews views, ViewScope scope, string? queue, string? state, string? user, string? limitText, string? after)
    {
        JobState? wanted = null;
        if (state is not null)
        {
            if (!Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || state.Length == 0 || char.IsDigit(state[0]))
            {
                return Problems.BadRequest("state", $"state '{state}' is not a job state; use one of {string.Join(", ", Enum.GetNames<JobState>().Select(n => n.ToLowerInvariant()))}");
            }

            wanted = parsed;
        }

        var limit = DefaultPage;
        if (limitText is not null && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPage))
        {
            return Problems.BadRequest("limit", $"limit is '{limitText}'; give 1 to {MaxPage} jobs per page (follow 'next' for more)");
        }

        if (queue is not null)
        {
            if (!scope.CanSee(queue))
            {
                return Problems.Forbidden(queue);
            }

            var queues = views.Queues(scope);
            if (queues.All(q => q.Name != queue))
            {
                return Problems.BadRequest("queue", $"there is no queue '{queue}'; use one of {string.Join(", ", queues.Select(q => q.Name))}");
            }
        }

        if (user is { Length: 0 })
        {
            return Problems.BadRequest("user", "user is empty; give a user name, or leave the filter out");
        }

        try
        {
            return Json(views.Jobs(new JobQuery(queue, wanted, user, after, limit), scope));
        }
        catch (ViewException e)
        {
            return Problems.BadRequest(e.Field, e.Message);
        }
    }

    private static IResult Timeline(IClusterViews views, ViewScope scope, string? since)
    {
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return Problems.BadRequest("since", $"since '{since}' is not a time; give an ISO 8601 time such as 2026-01-02T03:04:05Z");
            }

            from = parsed;
        }

        return Json(views.Timeline(scope, from));
    }

    /// <summary>
    /// Server-sent events: every job change from the subscription, one <c>event: job</c> per change with a
    /// <see cref="ChangeView"/> as data, until the client goes away or the host stops.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, ChangeSubscription subscription, IHostApplicationLifetime life)
    {
        using var subscribed = subscription; // made before the first byte: a client that saw it misses nothing after
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, life.ApplicationStopping);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        try
        {
            await http.Response.WriteAsync(": berth job changes\n\n", ended.Token).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            await foreach (var change in subscribed.Changes.WithCancellation(ended.Token).ConfigureAwait(false))
            {
                var data = JsonSerializer.Serialize(change, ApiJson.Responses);
                await http.Response.WriteAsync($"event: job\ndata: {data}\n\n", ended.Token).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away, or the host stops
        }
    }
}
