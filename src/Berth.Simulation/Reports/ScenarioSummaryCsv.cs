using Berth.Simulation.Jobs;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>summary.csv</c> of a scenario run: one row per profile and queue, then a row with queue <c>*</c> for
/// the whole cluster. Seconds with one decimal, GPU-hours with two, <c>gpu_alloc</c> and <c>gpu_yield</c> (GPUs doing
/// work, weighted by the jobs' GPU activity) as % of the cluster's GPUs (mean over the run); <c>data_moved_gb</c> the datasets fetched onto nodes that did not cache them (<see cref="DataStaging"/>); <c>alone_mean_wait_s</c> is empty for <c>*</c>.
/// </summary>
public static class ScenarioSummaryCsv
{
    public const string FileName = "summary.csv";

    public static readonly IReadOnlyList<string> Columns =
        ["scenario", "profile", "queue", "jobs", "mean_jct_s", "mean_wait_s", "p99_wait_s", "alone_mean_wait_s", "gpu_alloc", "gpu_yield", "used_gpu_hours", "idle_alloc_gpu_hours", "idle_gang_gpu_hours", "preemptions", "lost_gpu_hours", "p50_jct_s", "p99_jct_s", "data_moved_gb", "wall_seconds"];

    public static void Write(TextWriter writer, IEnumerable<JobRunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(runs);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        foreach (var run in runs)
        {
            foreach (var q in run.Queues)
            {
                writer.Write(string.Join(',',
                    ReportFormat.CsvField(run.Scenario),
                    ReportFormat.CsvField(run.Profile),
                    ReportFormat.CsvField(q.Queue),
                    ReportFormat.Integer(q.Jobs),
                    ReportFormat.Fixed(q.MeanJct, 1),
                    ReportFormat.Fixed(q.MeanWait, 1),
                    ReportFormat.Fixed(q.P99Wait, 1),
                    q.AloneMeanWait is { } alone ? ReportFormat.Fixed(alone, 1) : string.Empty,
                    ReportFormat.Percent(q.GpuAllocPct),
                    ReportFormat.Percent(q.GpuYieldPct),
                    ReportFormat.Fixed(q.UsedGpuHours, 2),
                    ReportFormat.Fixed(q.IdleAllocatedGpuHours, 2),
                    ReportFormat.Fixed(q.IdleGangGpuHours, 2),
                    ReportFormat.Integer(q.Preemptions),
                    ReportFormat.Fixed(q.LostGpuHours, 2),
                    ReportFormat.Fixed(q.P50Jct, 1),
                    ReportFormat.Fixed(q.P99Jct, 1),
                    ReportFormat.Fixed(q.DataMovedGb, 1),
                    ReportFormat.Fixed(run.WallSeconds, 3)));
                writer.Write('\n');
            }
        }
    }
}
