using Berth.Runtime.Yield;
using Berth.Simulation.Jobs;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>usage.csv</c> of a scenario run: showback per profile and queue (then <c>*</c>), as <c>berth report usage</c>
/// gives it for a server: GPU-hours allocated and used over the run, and their cost at the scenario's <c>prices</c>
/// for the cluster's GPU model (empty without one). GPU-hours with 2 decimals, cost with 2. See docs/FORMATS.md.
/// </summary>
public static class ShowbackCsv
{
    public const string FileName = "usage.csv";

    public static readonly IReadOnlyList<string> Columns = ["scenario", "profile", "queue", "gpu_model", "allocated_gpu_hours", "used_gpu_hours", "cost", "currency"];

    public static void Write(TextWriter writer, IEnumerable<JobRunResult> runs, string? gpuModel, PriceTable? prices)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(runs);
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        var price = prices?.Price(gpuModel);
        foreach (var run in runs)
        {
            foreach (var q in run.Queues)
            {
                writer.Write(string.Join(',',
                    ReportFormat.CsvField(run.Scenario),
                    ReportFormat.CsvField(run.Profile),
                    ReportFormat.CsvField(q.Queue),
                    ReportFormat.CsvField(gpuModel ?? string.Empty),
                    ReportFormat.Fixed(q.AllocatedGpuHours, 2),
                    ReportFormat.Fixed(q.UsedGpuHours, 2),
                    price is { } p ? ReportFormat.Fixed(q.AllocatedGpuHours * p, 2) : string.Empty,
                    ReportFormat.CsvField(price is null ? string.Empty : prices!.Currency)));
                writer.Write('\n');
            }
        }
    }
}
