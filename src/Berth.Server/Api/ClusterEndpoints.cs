using Berth.Server.Loop;
using System.Text.Json;
using Berth.Server.Access;
using Berth.Server.Jobs;
using Berth.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Server.Api;

/// <summary>
/// The server's admin endpoints beside the shared read views (<see cref="ServerViews"/>): queue and cohort edits, cordon,
/// uncordon and drain of nodes, a node's events (its GPUs going unhealthy and back), and new tokens.
/// </summary>
public static class ClusterEndpoints
{
    public static void MapCluster(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/v1/cohorts/{name}", ["PATCH"], EditCohort).WithTags("queues").WithName("EditCohort").Accepts<QueueEdit>("application/json")
            .Produces<CohortView>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        app.MapMethods("/api/v1/queues/{name}", ["PATCH"], EditQueue).WithTags("queues").WithName("EditQueue").Accepts<QueueEdit>("application/json")
            .Produces<QueueView>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        app.MapPost("/api/v1/nodes/{name}/cordon", (string name, HttpContext http, ServerContext s) => Cordon(name, http, s, cordon: true, drain: false)).WithTags("nodes").WithName("CordonNode").Produces(StatusCodes.Status200OK).ProducesProblem(403).ProducesProblem(404);
        app.MapPost("/api/v1/nodes/{name}/uncordon", (string name, HttpContext http, ServerContext s) => Cordon(name, http, s, cordon: false, drain: false)).WithTags("nodes").WithName("UncordonNode").Produces(StatusCodes.Status200OK).ProducesProblem(403).ProducesProblem(404);
        app.MapPost("/api/v1/nodes/{name}/drain", (string name, HttpContext http, ServerContext s) => Cordon(name, http, s, cordon: true, drain: true)).WithTags("nodes").WithName("DrainNode").Produces(StatusCodes.Status200OK).ProducesProblem(403).ProducesProblem(404);
        app.MapGet("/api/v1/nodes/{name}/events", (string name, ServerContext s) => s.Cluster.Nodes.Any(n => n.Name == name)
                ? Results.Json(s.Store.NodeEvents(name).Select(e => new EventView(e.At, e.Kind, e.Message)).ToArray(), ApiJson.Responses)
                : Problems.Of(404, "name", $"no node {name}; list them with GET /api/v1/nodes (berth nodes)"))
            .WithTags("nodes").WithName("NodeEvents").Produces<EventView[]>().ProducesProblem(401).ProducesProblem(404);
        app.MapPost("/api/v1/tokens", CreateToken).WithTags("tokens").WithName("CreateToken").Accepts<TokenRequest>("application/json")
            .Produces<TokenCreated>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(403);
    }

    private static readonly Lock QueueEditLock = new();

    /// <summary>An admin edits a queue's weight, stop policy or GPU quotas (see <see cref="EditAsync"/>).</summary>
    private static Task<IResult> EditQueue(string name, HttpContext http, ServerContext s) =>
        EditAsync(name, http, s, "queue", QueueEdits.MetaKey, QueueEdits.Apply,
            () => Results.Json(QueueViews.Of(s.Loop.Cluster.Configuration.Queues.Single(q => q.Name == name), s.Loop.Cluster.Configuration, s.Store.Active(), s.Loop.Quota, s.Loop.ActivityOf), ApiJson.Responses));

    /// <summary>An admin edits a cohort's weight or its own GPU quotas (see <see cref="EditAsync"/>).</summary>
    private static Task<IResult> EditCohort(string name, HttpContext http, ServerContext s) =>
        EditAsync(name, http, s, "cohort", QueueEdits.CohortMetaKey, QueueEdits.ApplyCohort,
            () => Results.Json(new ServerViews(s).Cohorts(http.Scope()).Single(c => c.Name == name), ApiJson.Responses));

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
