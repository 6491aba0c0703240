using System.Globalization;
using System.Text.Json;
using Berth.Server.Access;
using Berth.Server.Jobs;
using Berth.Server.Store;
using Berth.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Server.Api;

/// <summary>
/// <c>/api/v1/jobs</c>: submit, logs, cancel, hold, release (list and show are the shared views, <see cref="ServerViews"/>). Every accepted change is committed before the
/// reply; every refusal (4xx) changes nothing.
/// </summary>
public static class JobEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static void MapJobs(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/v1/jobs").WithTags("jobs");
        jobs.MapPost("/", Submit).WithName("SubmitJob").Accepts<JobSpec>("application/json")
            .Produces<JobView>(StatusCodes.Status201Created).Produces<JobView>(StatusCodes.Status200OK)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415);
        jobs.MapGet("/{id}/logs", Logs).WithName("JobLogs").Produces<string>(200, "text/plain").ProducesProblem(404);
        jobs.MapDelete("/{id}", (string id, HttpContext http, ServerContext s) => Change(id, http, s, Cancel)).WithName("CancelJob").Produces<JobView>().ProducesProblem(404).ProducesProblem(409);
        jobs.MapPost("/{id}/hold", (string id, HttpContext http, ServerContext s) => Change(id, http, s, Hold)).WithName("HoldJob").Produces<JobView>().ProducesProblem(409);
        jobs.MapPost("/{id}/release", (string id, HttpContext http, ServerContext s) => Change(id, http, s, Release)).WithName("ReleaseJob").Produces<JobView>().ProducesProblem(409);
    }

    private static async Task<IResult> Submit(HttpContext http, ServerContext s)
    {
        var caller = http.Caller();
        if (caller.Role == Role.Viewer)
        {
            return Problems.Of(403, "Authorization", "a viewer token cannot submit; use a submitter token for the queue, or the admin token");
        }

        if (http.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Of(415, "Content-Type", "send the job as JSON with 'Content-Type: application/json'");
        }

        string? key = http.Request.Headers[IdempotencyHeader];
        if (key is not null && (key.Length is 0 or > 200 || key.Any(char.IsControl)))
        {
            return Problems.BadRequest(IdempotencyHeader, "Idempotency-Key must be 1 to 200 printable characters, such as a UUID made once per job and sent again on every retry");
        }

        JobSpec? spec;
        try
        {
            spec = await JsonSerializer.DeserializeAsync<JobSpec>(http.Request.Body, ApiJson.Requests, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "body";
            return e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? Problems.BadRequest(path, $"unknown field '{path}'; a job has name, queue, priorityClass, podSets (name, count, minCount, gpus, gpuShare, cpu, memoryGiB), duration, command and env")
                : Problems.BadRequest(path, $"the body is not a valid job ({FirstSentence(e.Message)}); send a JSON object such as {{\"queue\": \"team-a\", \"podSets\": [{{\"count\": 1, \"gpus\": 1}}], \"duration\": \"30m\"}}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.Of(413, "body", $"the body is larger than the server takes ({e.Message}); a job is a few hundred bytes, so send one job per request");
        }

        if (spec is null)
        {
            return Problems.BadRequest("body", "the body is null; send a JSON object with queue, podSets and duration");
        }

        if (spec.SubmittedBy is not null)
        {
            return Problems.BadRequest("submittedBy", "submittedBy is set by the server from your token (for usage reports); leave it out");
        }

        spec = spec with { SubmittedBy = caller.Name };
        if (spec.Queue is { } queue && s.Cluster.Configuration.Queues.Any(q => q.Name == queue) && !caller.CanChange(queue))
        {
            return Problems.Forbidden(queue);
        }

        JobRecord job;
        bool replayed;
        try
        {
            (job, replayed) = s.Store.Submit(spec with { User = caller.Name }, key, s.Time.GetUtcNow());
        }
        catch (JobSpecException e)
        {
            return Problems.BadRequest(e.Field, e.Message);
        }

        if (replayed && !caller.CanSee(job.Workload.Queue))
        {
            return Problems.Forbidden(job.Workload.Queue);
        }

        if (!replayed)
        {
            s.Metrics.Submitted.WithLabels(job.Workload.Queue).Inc();
            s.Loop.Wake();
        }

        var view = JobViews.Of(job, s.Loop.Pending.GetValueOrDefault(job.Id), s.Time.GetUtcNow());
        return replayed ? Results.Json(view, ApiJson.Responses, statusCode: 200) : Results.Json(view, ApiJson.Responses, statusCode: 201);
    }

    /// <summary>A pod's stdout or stderr (local executor), as text; the first pod's when none is named.</summary>
    private static IResult Logs(string id, HttpContext http, ServerContext s, string? pod, string? stream, long? offset)
    {
        if (offset is < 0)
        {
            return Problems.BadRequest("offset", "offset is a byte offset of 0 or more: pass the Berth-Log-Offset header of the previous answer to follow");
        }

        var job = s.Store.Find(id);
        if (job is null || !http.Caller().CanSee(job.Workload.Queue))
        {
            return Problems.NotFound(id);
        }

        if (stream is not (null or "stdout" or "stderr"))
        {
            return Problems.BadRequest("stream", "stream is stdout or stderr");
        }

        var pods = job.Bindings.Select(b => b.Pod).ToArray();
        var name = pod is null ? pods.FirstOrDefault() : pods.FirstOrDefault(p => p == pod || p.EndsWith("/" + pod, StringComparison.Ordinal));
        if (name is null)
        {
            return Problems.Of(404, "pod", pods.Length == 0 ? $"job {id} has no pods placed, so no logs yet" : $"job {id} has no pod {pod}; its pods are {string.Join(", ", pods)}");
        }

        var path = Executors.LocalExecutor.LogPath(s.DataDirectory, job.Id, name, stream ?? "stdout");
        if (!File.Exists(path))
        {
            return Problems.Of(404, "pod", $"no logs for {name}: this server runs jobs on simulated nodes, or the pod has written nothing yet");
        }

        // From a byte offset (following a log): the answer says where the next read starts.
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Seek(Math.Min(offset ?? 0, file.Length), SeekOrigin.Begin);
        var bytes = new byte[file.Length - file.Position];
        file.ReadExactly(bytes);
        http.Response.Headers["Berth-Log-Offset"] = file.Position.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers["Berth-Job-State"] = job.State.ToString();
        return Results.Bytes(bytes, "text/plain; charset=utf-8");
    }

    private static IResult Change(string id, HttpContext http, ServerContext s, Func<JobRecord, DateTimeOffset, JobChange> change)
    {
        var caller = http.Caller();
        var existing = s.Store.Find(id);
        if (existing is null || !caller.CanSee(existing.Workload.Queue))
        {
            return Problems.NotFound(id);
        }

        if (!caller.CanChange(existing.Workload.Queue))
        {
            return Problems.Forbidden(existing.Workload.Queue);
        }

        var now = s.Time.GetUtcNow();
        var result = s.Store.Change(id, job => change(job, now))!;
        if (result.Refusal is { } why)
        {
            return Problems.Of(409, "state", why);
        }

        if (result.Current.State == JobState.Running && result.Next!.State != JobState.Running)
        {
            s.Executor.Stop(result.Current);
        }

        s.Loop.Wake();
        return Results.Json(JobViews.Of(result.Next!, null, now), ApiJson.Responses);
    }

    private static JobChange Cancel(JobRecord job, DateTimeOffset now) => job.State.IsFinal()
        ? JobChange.Refuse(job, $"job {job.Id} is already {job.State}; there is nothing to cancel")
        : new JobChange(job, job with { State = JobState.Cancelled, FinishedAt = now, Message = "cancelled by a user" }, new JobEvent(now, "Cancelled", $"cancelled by a user while {job.State}"), null);

    private static JobChange Hold(JobRecord job, DateTimeOffset now) => job.State != JobState.Pending
        ? JobChange.Refuse(job, $"job {job.Id} is {job.State}; only a pending job can be held")
        : new JobChange(job, job with { State = JobState.Held }, new JobEvent(now, "Held", "held by a user; it keeps its place and waits until released"), null);

    private static JobChange Release(JobRecord job, DateTimeOffset now) => job.State != JobState.Held
        ? JobChange.Refuse(job, $"job {job.Id} is {job.State}; only a held job can be released")
        : new JobChange(job, job with { State = JobState.Pending }, new JobEvent(now, "Released", "released by a user; back in its queue at its place"), null);

    private static string FirstSentence(string message)
    {
        var dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message.TrimEnd('.');
    }
}
