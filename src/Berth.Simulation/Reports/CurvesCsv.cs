using Berth.Simulation.Metrics;

namespace Berth.Simulation.Reports;

/// <summary><c>curves.csv</c>: one row per integer bin of arrived GPU demand (% of capacity) per run.</summary>
public static class CurvesCsv
{
    public const string FileName = "curves.csv";

    public static readonly IReadOnlyList<string> Columns =
        ["trace", "policy", "seed", "arrived_percent", "alloc_percent", "frag_percent", "frag_ratio_percent", "failed_pods"];

    public static void Write(TextWriter writer, IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(runs);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        foreach (var run in runs)
        {
            var prefix = string.Join(',', ReportFormat.CsvField(run.Trace), ReportFormat.CsvField(run.Policy), ReportFormat.Integer(run.Seed));
            foreach (var point in run.Curve)
            {
                writer.Write(prefix);
                writer.Write(',');
                writer.Write(string.Join(',',
                    ReportFormat.Integer(point.ArrivedPercent),
                    ReportFormat.Percent(point.AllocationPercent),
                    ReportFormat.Percent(point.FragmentPercent),
                    ReportFormat.Percent(point.FragmentRatioPercent),
                    ReportFormat.Integer(point.FailedPods)));
                writer.Write('\n');
            }
        }
    }
}
