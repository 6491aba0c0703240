using Berth.Runtime.Yield;
using Berth.Server.Access;
using Berth.Server.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Server.Api;

/// <summary>
/// Right-sizing advice (<see cref="RightSizing"/>) for a job and for a queue's jobs: from the busy GPUs nvidia-smi
/// measured at each reading (local executor; kept in memory while the server runs), else from the share of GPU
/// time a job states (<c>gpuActivity</c>, simulated nodes).
/// </summary>
public static class RightSizingEndpoints
{
    public static void MapRightSizing(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/jobs/{id}/rightsizing", Job).WithTags("jobs").WithName("JobRightSizing").Produces<RightSizingView>().ProducesProblem(404);
        app.MapGet("/api/v1/queues/{name}/rightsizing", Queue).WithTags("queues").WithName("QueueRightSizing").Produces<RightSizingView>().ProducesProblem(404);
    }

    private static IResult Job(string id, HttpContext http, ServerContext s)
    {
        var job = s.Store.Find(id);
        if (job is null || !http.Caller().CanSee(job.Workload.Queue))
        {
            return Problems.NotFound(id);
        }

        var (advice, source) = AdviceOf(job, s);
        return Results.Json(View(id, advice, source, advice is null ? NoSamples(job, s) : null), ApiJson.Responses);
    }

    private static IResult Queue(string name, HttpContext http, ServerContext s)
    {
        if (!s.Loop.Cluster.Configuration.Queues.Any(q => q.Name == name) || !http.Caller().CanSee(name))
        {
            return Problems.NotFound(name);
        }

        var jobs = s.Store.All().Where(j => j.Workload.Queue == name).Select(j => AdviceOf(j, s).Advice).OfType<RightSize>().ToArray();
        var advice = RightSizing.ForQueue(name, jobs);
        return Results.Json(View(name, advice, s.Loop.Gpus is null ? "gpuActivity" : "nvidia-smi", advice is null ? "no job of this queue has GPU samples yet" : null), ApiJson.Responses);
    }

    /// <summary>A job's advice and where its samples come from; (null, null) while there are none (the job page shows the advice too).</summary>
    internal static (RightSize? Advice, string? Source) AdviceOf(JobRecord job, ServerContext s)
    {
        var asked = (int)Math.Ceiling(job.GpusRequested - 1e-9);
        var model = s.Loop.Cluster.Nodes.Where(n => n.GpuCount > 0 && (job.Bindings.Count == 0 || job.Bindings.Any(b => b.Node == n.Name))).Select(n => n.GpuModel).FirstOrDefault();
        if (s.Loop.Gpus is { } gpus)
        {
            return (RightSizing.Recommend(asked, gpus.BusyHistory(job.Id), model), "nvidia-smi");
        }

        return job.Spec.GpuActivity is { } activity && job.StartedAt is not null
            ? (RightSizing.Recommend(asked, [job.GpusRequested * activity], model), "gpuActivity")
            : (null, null);
    }

    private static string NoSamples(JobRecord job, ServerContext s) =>
        job.GpusRequested <= 0 ? "the job asks for no GPUs"
        : s.Loop.Gpus is null ? "no GPU samples: on simulated nodes a job that ran with a stated gpuActivity has advice"
        : "no nvidia-smi samples of this job yet (it has not run since the server started, or its GPUs are not in the readings)";

    private static RightSizingView View(string subject, RightSize? advice, string? source, string? note) => new()
    {
        Subject = subject,
        Source = advice is null ? null : source,
        AskedGpus = advice?.AskedGpus ?? 0,
        P95BusyGpus = Math.Round(advice?.P95BusyGpus ?? 0, 3),
        PeakBusyGpus = Math.Round(advice?.PeakBusyGpus ?? 0, 3),
        Samples = advice?.Samples ?? 0,
        RecommendedGpus = advice?.RecommendedGpus ?? 0,
        MigProfile = advice?.MigProfile,
        Advice = advice?.Text,
        Note = note,
    };
}
