using Berth.Server.Access;
using Berth.Server.Jobs;
using Berth.Server.Usage;
using Berth.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Berth.Server.Api;

/// <summary><c>GET /api/v1/usage?from=...&amp;to=...</c>: showback over a period (<see cref="UsageReport"/>); a submitter sees its queues only.</summary>
public static class UsageEndpoints
{
    /// <summary>The longest period one report covers.</summary>
    public static readonly TimeSpan MaxPeriod = UsagePeriod.MaxPeriod;

    public static void MapUsage(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/usage", Get).WithTags("usage").WithName("Usage").Produces<Berth.Runtime.Yield.UsageSummary>().ProducesProblem(400);

    private static IResult Get(HttpContext http, ServerContext s, string? from, string? to)
    {
        if (UsagePeriod.Read(from, to, s.Time.GetUtcNow(), out var start, out var end) is { } problem)
        {
            return problem;
        }

        var now = s.Time.GetUtcNow();
        var caller = http.Caller();
        var jobs = s.Store.All().Where(j => caller.CanSee(j.Workload.Queue)).ToDictionary(j => j.Seq);
        var runs = s.Store.Runs(start, end).Where(r => jobs.ContainsKey(r.JobSeq)).Select(r => (jobs[r.JobSeq], r));
        var models = s.Loop.Cluster.Nodes.ToDictionary(n => n.Name, n => n.GpuModel, StringComparer.Ordinal);
        // A run's model is its first node's; a run migrated without nodes ran on the cluster's one GPU model when it has only one.
        var only = s.Loop.Cluster.Nodes.Select(n => n.GpuModel).OfType<string>().Distinct(StringComparer.Ordinal).ToArray() is [var single] ? single : null;
        var report = UsageReport.Of(runs, start, end, now, j => ActivityOf(j, s), (_, r) => r.Nodes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => models.GetValueOrDefault(n)).FirstOrDefault(m => m is not null) ?? only, s.Prices);
        return Results.Json(report, ApiJson.Responses);
    }

    /// <summary>Measured (the mean of nvidia-smi's busy GPUs over the GPUs asked), else the job's stated share.</summary>
    private static double? ActivityOf(JobRecord job, ServerContext s) =>
        s.Loop.Gpus?.BusyHistory(job.Id) is { Count: > 0 } busy && job.GpusRequested > 0 ? Math.Clamp(busy.Average() / job.GpusRequested, 0, 1) : job.Spec.GpuActivity;
}
