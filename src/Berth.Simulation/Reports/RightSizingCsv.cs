using Berth.Simulation.Jobs;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>rightsizing.csv</c> of a scenario run: per profile and queue (then <c>*</c>), the jobs that ran with a known
/// GPU activity, the GPUs they asked for, their p95 busy GPUs added up, the whole GPUs that would have covered each
/// one's p95 added up, and how many could have asked for less (fewer GPUs or a MIG slice). See docs/FORMATS.md.
/// </summary>
public static class RightSizingCsv
{
    public const string FileName = "rightsizing.csv";

    public static readonly IReadOnlyList<string> Columns = ["scenario", "profile", "queue", "jobs", "asked_gpus", "p95_busy_gpus", "recommended_gpus", "oversized_jobs"];

    public static void Write(TextWriter writer, IEnumerable<JobRunResult> runs, string? gpuModel)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(runs);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        foreach (var run in runs)
        {
            foreach (var (queue, advice) in RightSizingTable.Of(run, gpuModel))
            {
                writer.Write(string.Join(',',
                    ReportFormat.CsvField(run.Scenario),
                    ReportFormat.CsvField(run.Profile),
                    ReportFormat.CsvField(queue),
                    ReportFormat.Integer(advice.Jobs),
                    ReportFormat.Integer(advice.AskedGpus),
                    ReportFormat.Fixed(advice.P95BusyGpus, 2),
                    ReportFormat.Integer(advice.RecommendedGpus),
                    ReportFormat.Integer(advice.OversizedJobs)));
                writer.Write('\n');
            }
        }
    }
}
