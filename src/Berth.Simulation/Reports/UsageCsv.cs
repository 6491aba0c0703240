using System.Globalization;
using Berth.Runtime.Yield;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>berth report usage --format csv</c>: one row per queue, user and GPU model. GPU-hours with 4 decimals, cost
/// with 2 (empty when the price table has no price for the model), the currency on every row; from the operator,
/// whose rows also name a namespace, a last column <c>namespace</c> (added at the end, so readers of the server's
/// columns by position read the same). See docs/FORMATS.md.
/// </summary>
public static class UsageCsv
{
    public static readonly IReadOnlyList<string> Columns = ["from", "to", "queue", "user", "gpu_model", "jobs", "allocated_gpu_hours", "used_gpu_hours", "cost", "currency"];

    public static void Write(TextWriter writer, UsageSummary usage)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(usage);
        var namespaces = usage.Rows.Any(r => r.Namespace is not null);
        writer.Write(string.Join(',', Columns) + (namespaces ? ",namespace" : string.Empty));
        writer.Write('\n');
        foreach (var row in usage.Rows)
        {
            writer.Write(string.Join(',',
                usage.From.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                usage.To.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ReportFormat.CsvField(row.Queue),
                ReportFormat.CsvField(row.User),
                ReportFormat.CsvField(row.GpuModel),
                ReportFormat.Integer(row.Jobs),
                ReportFormat.Fixed(row.AllocatedGpuHours, 4),
                ReportFormat.Fixed(row.UsedGpuHours, 4),
                row.Cost is { } cost ? ReportFormat.Fixed(cost, 2) : string.Empty,
                ReportFormat.CsvField(usage.Currency ?? string.Empty)));
            if (namespaces)
            {
                writer.Write(',' + ReportFormat.CsvField(row.Namespace ?? string.Empty));
            }

            writer.Write('\n');
        }
    }
}
