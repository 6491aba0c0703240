using Berth.Simulation.Metrics;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>summary.csv</c>: one row per run with the headline figures. Percentages have two decimals (invariant
/// culture), wall time three; a figure the run did not reach (e.g. alloc at 130% with a lower target) is empty.
/// </summary>
public static class SummaryCsv
{
    public const string FileName = "summary.csv";

    public static readonly IReadOnlyList<string> Columns =
        ["trace", "policy", "seed", "alloc_at_100", "alloc_at_130", "frag_amount_at_100", "failed_pods", "wall_seconds", "mig_repartitions", "mig_frag_percent"];

    public static void Write(TextWriter writer, IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(runs);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        foreach (var run in runs)
        {
            writer.Write(string.Join(',',
                ReportFormat.CsvField(run.Trace),
                ReportFormat.CsvField(run.Policy),
                ReportFormat.Integer(run.Seed),
                ReportFormat.Percent(run.AllocAt100),
                ReportFormat.Percent(run.AllocAt130),
                ReportFormat.Percent(run.FragAt100),
                ReportFormat.Integer(run.FailedPods),
                ReportFormat.Fixed(run.WallSeconds, 3),
                ReportFormat.Integer(run.MigRepartitions),
                ReportFormat.Percent(run.MigFragmentPercent)));
            writer.Write('\n');
        }
    }
}
