using System.Globalization;
using Berth.Simulation.Reports;
using Spectre.Console;

namespace Berth.Cli.Running;

/// <summary>The terminal summary: per trace and policy, the means over seeds ± standard deviation.</summary>
public static class SummaryTable
{
    public static Table Build(IReadOnlyList<PolicySummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("trace");
        table.AddColumn("policy");
        table.AddColumn(new TableColumn("seeds").RightAligned());
        table.AddColumn(new TableColumn("alloc@100 %").RightAligned());
        table.AddColumn(new TableColumn("alloc@130 %").RightAligned());
        table.AddColumn(new TableColumn("frag@100 %").RightAligned());
        table.AddColumn(new TableColumn("failed pods").RightAligned());
        table.AddColumn(new TableColumn("wall s/run").RightAligned());
        string? previousTrace = null;
        foreach (var row in summaries)
        {
            if (previousTrace is not null && row.Trace != previousTrace)
            {
                table.AddEmptyRow();
            }

            var best = summaries.Where(s => s.Trace == row.Trace && s.AllocAt100.HasValue).Select(s => s.AllocAt100.Mean).DefaultIfEmpty(double.NaN).Max();
            var alloc = Cell(row.AllocAt100, 2);
            table.AddRow(
                Markup.Escape(row.Trace == previousTrace ? string.Empty : row.Trace),
                Markup.Escape(row.Policy),
                row.Seeds.Count.ToString(CultureInfo.InvariantCulture),
                row.AllocAt100.HasValue && row.AllocAt100.Mean == best ? $"[bold green]{alloc}[/]" : alloc,
                Cell(row.AllocAt130, 2),
                Cell(row.FragAt100, 2),
                Cell(row.FailedPods, 0),
                Cell(row.WallSeconds, 2));
            previousTrace = row.Trace;
        }

        return table;
    }

    private static string Cell(Stat stat, int decimals)
    {
        if (!stat.HasValue)
        {
            return "-";
        }

        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        var mean = stat.Mean.ToString(format, CultureInfo.InvariantCulture);
        return stat.Count > 1 ? $"{mean} ± {stat.StdDev.ToString(format, CultureInfo.InvariantCulture)}" : mean;
    }
}
