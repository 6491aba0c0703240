using Berth.Server.Loop;
using System.Text.Json;
using Berth.Model;
using Berth.Runtime.Lifecycle;
using Berth.Server.Access;
using Berth.Server.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Server.Api;

/// <summary><c>/api/v1/queues</c>, <c>/api/v1/nodes</c> and <c>/api/v1/tokens</c>: what the cluster holds, and new tokens (admins only).</summary>
public static class ClusterEndpoints
{
    public static void MapCluster(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/queues", Queues).WithTags("queues").WithName("ListQueues").Produces<QueueView[]>();
        app.MapGet("/api/v1/cohorts", Cohorts).WithTags("queues").WithName("ListCohorts").Produces<CohortView[]>();
        app.MapMethods("/api/v1/cohorts/{name}", ["PATCH"], EditCohort).WithTags("queues").WithName("EditCohort").Accepts<QueueEdit>("application/json")
            .Produces<CohortView>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        app.MapMethods("/api/v1/queues/{name}", ["PATCH"], EditQueue).WithTags("queues").WithName("EditQueue").Accepts<QueueEdit>("application/json")
            .Produces<QueueView>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        app.MapGet("/api/v1/nodes", Nodes).WithTags("nodes").WithName("ListNodes").Produces<NodeView[]>();
        app.MapPost("/api/v1/nodes/{name}/cordon", (string name, HttpContext http, ServerContext s) => Cordon(name, http, s, cordon: true, drain: false)).WithTags("nodes").WithName("CordonNode").Produces(StatusCodes.Status200OK).ProducesProblem(403).ProducesProblem(404);
        app.MapPost("/api/v1/nodes/{name}/uncordon", (string name, HttpContext http, ServerContext s) => Cordon(name, http, s, cordon: false, drain: false)).WithTags("nodes").WithName("UncordonNode").Produces(StatusCodes.Status200OK).ProducesProblem(403).ProducesProblem(404);
        app.MapPost("/api/v1/nodes/{name}/drain", (string name, HttpContext http, ServerContext s) => Cordon(name, http, s, cordon: true, drain: true)).WithTags("nodes").WithName("DrainNode").Produces(StatusCodes.Status200OK).ProducesProblem(403).ProducesProblem(404);
        app.MapGet("/api/v1/events", Stream).WithTags("events").WithName("StreamChanges").Produces<ChangeView>(200, "text/event-stream");
        app.MapPost("/api/v1/tokens", CreateToken).WithTags("tokens").WithName("CreateToken").Accepts<TokenRequest>("application/json")
            .Produces<TokenCreated>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(403);
    }

    private static readonly Lock QueueEditLock = new();

    private static IResult Queues(HttpContext http, ServerContext s)
    {
        var caller = http.Caller();
        var jobs = s.Store.Active();
        var quota = s.Loop.Quota;
        var configuration = s.Loop.Cluster.Configuration;
        var views = configuration.Queues.Where(q => caller.CanSee(q.Name)).OrderBy(q => q.Name, StringComparer.Ordinal).Select(q => ViewOf(q, configuration, jobs, quota)).ToArray();
        return Results.Json(views, ApiJson.Responses);
    }


    /// <summary>Every cohort with the queues in it (those the token may see) and their summed nominal quota and use.</summary>
    private static IResult Cohorts(HttpContext http, ServerContext s) => Results.Json(CohortViews(http, s), ApiJson.Responses);

    private static CohortView[] CohortViews(HttpContext http, ServerContext s)
    {
        var caller = http.Caller();
        var configuration = s.Loop.Cluster.Configuration;
        var quota = s.Loop.Quota;
        return configuration.Cohorts.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c =>
        {
            var queues = configuration.Queues.Where(q => q.Cohort == c.Name).Select(q => q.Name).Order(StringComparer.Ordinal).ToArray();
            var rows = quota.Where(g => queues.Contains(g.Queue)).GroupBy(g => (g.Flavor, g.Resource))
                .OrderBy(g => g.Key.Flavor, StringComparer.Ordinal).ThenBy(g => g.Key.Resource, StringComparer.Ordinal)
                .Select(g => new QuotaView(g.Key.Flavor, g.Key.Resource, g.Sum(x => x.Nominal), g.Sum(x => x.Used))).ToArray();
            return new CohortView(c.Name, c.Parent, queues.Where(caller.CanSee).ToArray(), rows)
            {
                Weight = c.Weight,
                OwnGpus = c.Quotas.Where(f => f.Gpu is not null).ToDictionary(f => f.Flavor, f => f.Gpu!.Nominal / 1000.0, StringComparer.Ordinal),
            };
        }).ToArray();
    }

    /// <summary>
    /// A queue as the API shows it. Borrowed: use above nominal. Lent: of its unused nominal quota, what the rest of its
    /// cohort borrows now (shared out in proportion when several lend). Share: the fair-share order's key without
    /// usage history, borrowed over the cohort's nominal quota of that flavor and resource, divided by the weight.
    /// </summary>
    private static QueueView ViewOf(Model.Queueing.Queue q, Model.Queueing.QueueConfiguration configuration, IReadOnlyList<JobRecord> jobs, IReadOnlyList<Runtime.Plan.QuotaGauge> quota)
    {
        var peers = q.Cohort is null ? [q.Name] : configuration.Queues.Where(p => p.Cohort == q.Cohort).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var rows = new List<QuotaView>();
        var share = 0.0;
        foreach (var g in quota.Where(g => g.Queue == q.Name))
        {
            var cohort = quota.Where(c => peers.Contains(c.Queue) && c.Flavor == g.Flavor && c.Resource == g.Resource).ToArray();
            var borrowed = Math.Max(0, g.Used - g.Nominal);
            var othersBorrow = cohort.Where(c => c.Queue != q.Name).Sum(c => Math.Max(0, c.Used - c.Nominal));
            var unused = cohort.Sum(c => Math.Max(0, c.Nominal - c.Used));
            var mine = Math.Max(0, g.Nominal - g.Used);
            var lent = unused > 0 ? Math.Min(mine, othersBorrow * mine / unused) : 0;
            var total = cohort.Sum(c => c.Nominal);
            share = Math.Max(share, total > 0 ? borrowed / total / q.Weight : 0);
            rows.Add(new QuotaView(g.Flavor, g.Resource, g.Nominal, g.Used) { Borrowed = borrowed, Lent = lent });
        }

        return new QueueView(
            q.Name,
            q.Cohort,
            q.Weight,
            rows,
            jobs.Count(j => j.Workload.Queue == q.Name && j.State == JobState.Pending),
            jobs.Count(j => j.Workload.Queue == q.Name && j.State == JobState.Held),
            jobs.Count(j => j.Workload.Queue == q.Name && j.State == JobState.Running))
        {
            Share = share,
            StopPolicy = q.Stop.ToString(),
        };
    }

    /// <summary>An admin edits a queue's weight, stop policy or GPU quotas (see <see cref="EditAsync"/>).</summary>
    private static Task<IResult> EditQueue(string name, HttpContext http, ServerContext s) =>
        EditAsync(name, http, s, "queue", QueueEdits.MetaKey, QueueEdits.Apply,
            () => Results.Json(ViewOf(s.Loop.Cluster.Configuration.Queues.Single(q => q.Name == name), s.Loop.Cluster.Configuration, s.Store.Active(), s.Loop.Quota), ApiJson.Responses));

    /// <summary>An admin edits a cohort's weight or its own GPU quotas (see <see cref="EditAsync"/>).</summary>
    private static Task<IResult> EditCohort(string name, HttpContext http, ServerContext s) =>
        EditAsync(name, http, s, "cohort", QueueEdits.CohortMetaKey, QueueEdits.ApplyCohort,
            () => Results.Json(CohortViews(http, s).Single(c => c.Name == name), ApiJson.Responses));

    /// <summary>
    /// One admin edit of a queue or cohort: read and checked as a whole configuration, merged into the store's meta key
    /// <paramref name="metaKey"/> before the reply, in force at once (a cycle runs before the reply); a 4xx changes nothing.
    /// </summary>
    private static async Task<IResult> EditAsync(string name, HttpContext http, ServerContext s, string what, string metaKey, Func<ServerCluster, string, QueueEdit, ServerCluster> apply, Func<IResult> reply)
    {
        if (http.Caller().Role != Role.Admin)
        {
            return Problems.Of(403, "Authorization", $"only an admin token can edit a {what}; use the admin token in DATA_DIR/admin.token");
        }

        QueueEdit? edit;
        try
        {
            edit = await JsonSerializer.DeserializeAsync<QueueEdit>(http.Request.Body, ApiJson.Requests, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "body";
            return Problems.BadRequest(path, $"the body is not a {what} edit; send {{\"weight\": 2, \"stopPolicy\": \"Hold\", \"quota\": [{{\"flavor\": \"a100\", \"gpus\": 16, \"borrowingLimit\": 8}}]}} (every field optional; stopPolicy for queues only)");
        }

        if (edit is null)
        {
            return Problems.BadRequest("body", $"the body is null; send a {what} edit such as {{\"weight\": 2}}");
        }

        lock (QueueEditLock)
        {
            try
            {
                var edited = apply(s.Loop.Cluster, name, edit);
                s.Store.SetMeta(metaKey, QueueEdits.Merge(s.Store.Meta(metaKey), name, edit));
                s.Loop.Cluster = edited;
            }
            catch (QueueEditException e)
            {
                return e.Field == "name" ? Problems.Of(404, "name", e.Message) : Problems.BadRequest(e.Field, e.Message);
            }
        }

        s.Loop.RunOnce(); // the edit is in force before the reply: quotas and reasons in it are the new ones
        return reply();
    }


    private static IResult Nodes(HttpContext http, ServerContext s)
    {
        var caller = http.Caller();
        var holders = new Dictionary<(string Node, int Gpu), List<GpuHolder>>();
        foreach (var job in s.Store.Active().Where(j => j.HoldsGpus))
        {
            foreach (var b in job.Bindings)
            {
                foreach (var g in Gpus.Indices(b.GpuMask))
                {
                    if (!holders.TryGetValue((b.Node, g), out var list))
                    {
                        holders[(b.Node, g)] = list = [];
                    }

                    // A submitter sees that a GPU is taken, not by whom outside its queues.
                    list.Add(caller.CanSee(job.Workload.Queue) ? new GpuHolder(job.Id, b.Pod, b.GpuMilli / 1000.0) : new GpuHolder("(other queue)", string.Empty, b.GpuMilli / 1000.0));
                }
            }
        }

        var views = s.Cluster.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => new NodeView(
            n.Name,
            n.CpuMilli / 1000.0,
            Math.Round(n.MemoryMiB / 1024.0, 3),
            n.Labels,
            Enumerable.Range(0, n.GpuCount).Select(g =>
            {
                var held = holders.GetValueOrDefault((n.Name, g)) ?? [];
                return new GpuView(g, n.GpuModel ?? "gpu", Math.Max(0, 1 - held.Sum(h => h.Share)), held);
            }).ToArray(),
            s.Store.Cordoned.Contains(n.Name))).ToArray();
        return Results.Json(views, ApiJson.Responses);
    }

    /// <summary>
    /// Cordon: nothing new is placed on the node. Drain: cordon, and send every job with a pod there back to its
    /// queue (stopped on the executor; it keeps its place), committed before the reply.
    /// </summary>
    private static IResult Cordon(string name, HttpContext http, ServerContext s, bool cordon, bool drain)
    {
        if (http.Caller().Role != Role.Admin)
        {
            return Problems.Of(403, "Authorization", "only an admin token can cordon, uncordon or drain nodes");
        }

        if (s.Cluster.Nodes.All(n => n.Name != name))
        {
            return Problems.Of(404, "name", $"no node {name}; list them with GET /api/v1/nodes (berth nodes)");
        }

        s.Store.SetCordoned(name, cordon);
        if (drain)
        {
            var now = s.Time.GetUtcNow();
            foreach (var job in s.Store.Active().Where(j => j.HoldsGpus && j.Bindings.Any(b => b.Node == name)))
            {
                var result = s.Store.Change(job.Id, j => j.State != JobState.Running
                    ? Store.JobChange.Refuse(j, "not running any more")
                    : new Store.JobChange(j, j with { State = JobState.Pending, Memo = null, Bindings = [], AdmittedAt = null, StartedAt = null, Message = $"node {name} drained by an admin" }, new JobEvent(now, "Requeued", $"Drained: node {name} drained by an admin; back in its queue at its place"), null));
                if (result?.Next is not null)
                {
                    s.Executor.Stop(job);
                }
            }
        }

        s.Loop.Wake();
        return Results.Json(new { name, cordoned = cordon }, ApiJson.Responses);
    }

    /// <summary>
    /// Server-sent events: every job change committed from now on that the caller may see, one <c>event: job</c>
    /// per change with a <see cref="ChangeView"/> as data, until the client goes away.
    /// </summary>
    private static async Task Stream(HttpContext http, ServerContext s, Microsoft.Extensions.Hosting.IHostApplicationLifetime life)
    {
        var caller = http.Caller();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, life.ApplicationStopping);
        var changes = s.Store.Changes.Subscribe(); // before the first byte: a client that saw it misses nothing after
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        try
        {
            await http.Response.WriteAsync(": berth job changes\n\n", ended.Token).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            await foreach (var (job, e) in changes.ReadAllAsync(ended.Token).ConfigureAwait(false))
            {
                if (!caller.CanSee(job.Workload.Queue))
                {
                    continue;
                }

                var data = JsonSerializer.Serialize(new ChangeView(job.Id, job.Workload.Queue, job.State, e.At, e.Kind, e.Message), ApiJson.Responses);
                await http.Response.WriteAsync($"event: job\ndata: {data}\n\n", ended.Token).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away, or the server stops
        }
        finally
        {
            s.Store.Changes.Unsubscribe(changes);
        }
    }

    private static async Task<IResult> CreateToken(HttpContext http, ServerContext s)
    {
        if (http.Caller().Role != Role.Admin)
        {
            return Problems.Of(403, "Authorization", "only an admin token can make tokens; use the admin token in DATA_DIR/admin.token");
        }

        TokenRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<TokenRequest>(http.Request.Body, ApiJson.Requests, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "body";
            return Problems.BadRequest(path, "the body is not a token request; send {\"role\": \"submitter\", \"queues\": [\"team-a\"], \"name\": \"alice\"} (role: admin, submitter or viewer)");
        }

        if (request?.Role is not { } role)
        {
            return Problems.BadRequest("role", "role is missing; give admin, submitter or viewer");
        }

        var queues = request.Queues ?? [];
        if (role == Role.Submitter && queues.Count == 0)
        {
            return Problems.BadRequest("queues", "a submitter token needs the queues it may use; give at least one");
        }

        if (role != Role.Submitter && queues.Count > 0)
        {
            return Problems.BadRequest("queues", $"a {role.ToString().ToLowerInvariant()} token is not limited to queues; leave queues out, or make a submitter token");
        }

        var unknown = queues.FirstOrDefault(q => s.Cluster.Configuration.Queues.All(c => c.Name != q));
        if (unknown is not null)
        {
            return Problems.BadRequest("queues", $"queue '{unknown}' does not exist; use one of {string.Join(", ", s.Cluster.Configuration.Queues.Select(q => q.Name))}");
        }

        var name = string.IsNullOrWhiteSpace(request.Name) ? role.ToString().ToLowerInvariant() : request.Name;
        var token = s.Tokens.Create(role, queues.ToArray(), name);
        return Results.Json(new TokenCreated(token, name, role, queues.Order(StringComparer.Ordinal).ToArray()), ApiJson.Responses, statusCode: 201);
    }
}
