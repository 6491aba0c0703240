using System.Globalization;
using Berth.Simulation.Reports;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Berth.Cli.Running;

/// <summary>
/// The terminal summary: one table per trace, one row per policy, means over seeds (± sample standard
/// deviation when the terminal is wide enough to show it without wrapping). The best allocation is green.
/// </summary>
public static class SummaryTable
{
    /// <summary>Narrower terminals get the means only.</summary>
    public const int WidthForSpread = 80;

    public static IRenderable Build(IReadOnlyList<PolicySummary> summaries, int width)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var spread = width >= WidthForSpread;
        var tables = new List<IRenderable>();
        foreach (var trace in summaries.Select(s => s.Trace).Distinct(StringComparer.Ordinal))
        {
            var rows = summaries.Where(s => s.Trace == trace).ToArray();
            var seeds = rows.Max(r => r.Seeds.Count);
            var table = new Table()
                .Border(TableBorder.Rounded)
                .Title(Markup.Escape($"{trace} · {seeds} seed{(seeds == 1 ? string.Empty : "s")}{(spread && seeds > 1 ? " · mean ± sd" : seeds > 1 ? " · mean" : string.Empty)}"));
            table.AddColumn(new TableColumn("policy").NoWrap());
            foreach (var header in new[] { "alloc@100 %", "alloc@130 %", "frag@100 %", "failed pods", "wall s" })
            {
                table.AddColumn(new TableColumn(header).RightAligned().NoWrap());
            }

            var best = rows.Where(r => r.AllocAt100.HasValue).Select(r => r.AllocAt100.Mean).DefaultIfEmpty(double.NaN).Max();
            foreach (var row in rows)
            {
                var alloc = Cell(row.AllocAt100, 2, spread);
                table.AddRow(
                    Markup.Escape(row.Policy),
                    rows.Length > 1 && row.AllocAt100.HasValue && row.AllocAt100.Mean == best ? $"[bold green]{alloc}[/]" : alloc,
                    Cell(row.AllocAt130, 2, spread),
                    Cell(row.FragAt100, 2, spread),
                    Cell(row.FailedPods, 0, spread),
                    Cell(row.WallSeconds, 2, spread: false));
            }

            tables.Add(table);
        }

        return new Rows(tables);
    }

    private static string Cell(Stat stat, int decimals, bool spread)
    {
        if (!stat.HasValue)
        {
            return "-";
        }

        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        var mean = stat.Mean.ToString(format, CultureInfo.InvariantCulture);
        return spread && stat.Count > 1 ? $"{mean} ± {stat.StdDev.ToString(format, CultureInfo.InvariantCulture)}" : mean;
    }
}
