using System.Globalization;
using System.Net;
using System.Text;
using Berth.Simulation.Metrics;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>report.html</c>: one self-contained page (inline CSS, Chart.js and data, no external resources) with
/// the inputs, a table of the means over seeds and, per trace, charts of allocation and fragmentation against
/// arrived demand with one line per policy, each with a legend and a line on how to read it. All text is
/// HTML-escaped.
/// </summary>
public static class HtmlReport
{
    public const string FileName = "report.html";

    public static string Render(ReportInfo info, IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(runs);
        var summaries = PolicySummary.Summarize(runs);
        var curves = MeanCurve.Compute(runs);
        var traces = summaries.Select(s => s.Trace).Distinct(StringComparer.Ordinal).ToArray();
        var colors = ColorMap(summaries.Select(s => s.Policy));

        var html = new StringBuilder();
        ReportPage.AppendHead(html, info.Title);
        html.Append(CultureInfo.InvariantCulture, $"<header><h1>{E(info.Title)}</h1>\n<p class=\"sub\">{E(Subtitle(info, runs.Count))}</p></header>\n");

        AppendInputs(html, info);
        if (traces.Length > 1)
        {
            AppendOverview(html, summaries, traces, info.Policies.Count > 0 ? info.Policies : summaries.Select(s => s.Policy).Distinct().ToArray());
        }

        var charts = new List<LineChart>();
        foreach (var trace in traces)
        {
            var gpus = info.Inputs.FirstOrDefault(i => i.Trace == trace)?.Gpus ?? 0;
            html.Append(CultureInfo.InvariantCulture, $"<section>\n<h2>{E(trace)}</h2>\n");
            AppendTable(html, summaries.Where(s => s.Trace == trace).ToArray(), gpus, colors, info.Mode);
            var traceCurves = curves.Where(c => c.Trace == trace).ToArray();
            html.Append("<div class=\"charts\">\n");
            foreach (var chart in Charts(traceCurves, colors, info.Mode))
            {
                var placed = chart with { Id = "c" + charts.Count.ToString(CultureInfo.InvariantCulture) };
                charts.Add(placed);
                html.Append(placed.Render());
            }

            html.Append("</div>\n</section>\n");
        }

        AppendNotes(html, info);
        ReportPage.AppendEnd(html, charts);
        return html.ToString();
    }

    private static string Subtitle(ReportInfo info, int runCount)
    {
        var parts = new List<string> { $"mode {info.Mode}" };
        if (info.TargetPercent is { } target)
        {
            parts.Add($"inflated to {target.ToString("0.##", CultureInfo.InvariantCulture)}% of GPU capacity");
        }

        parts.Add($"policies {string.Join(", ", info.Policies)}");
        parts.Add($"seeds {SeedText(info.Seeds)}");
        parts.Add($"{runCount} run{(runCount == 1 ? string.Empty : "s")}");
        if (info.Version.Length > 0)
        {
            parts.Add($"Berth {info.Version}");
        }

        return string.Join(" · ", parts);
    }

    private static void AppendInputs(StringBuilder html, ReportInfo info)
    {
        html.Append("<section>\n<h2>Inputs</h2>\n").Append(ReportPage.TableStart("<th>trace</th><th>cluster</th><th>workload</th><th class=\"num\">nodes</th><th class=\"num\">GPUs</th><th class=\"num\">pods</th>"));
        foreach (var input in info.Inputs)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(input.Trace)}</td><td class=\"path\">{E(input.Cluster)}</td><td class=\"path\">{E(input.Workload)}</td><td class=\"num\">{input.Nodes:N0}</td><td class=\"num\">{input.Gpus:N0}</td><td class=\"num\">{input.Pods:N0}</td></tr>\n");
        }

        html.Append(ReportPage.TableEnd);
        if (info.CommandLine.Length > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"cmd\"><code>{E(info.CommandLine)}</code></p>\n");
        }

        html.Append("</section>\n");
    }

    private static void AppendOverview(StringBuilder html, IReadOnlyList<PolicySummary> summaries, string[] traces, IReadOnlyList<string> policies)
    {
        var head = new StringBuilder("<th>trace</th>");
        foreach (var policy in policies)
        {
            head.Append(CultureInfo.InvariantCulture, $"<th class=\"num\">{E(policy)}</th>");
        }

        html.Append("<section>\n<h2>GPU allocation at 100% arrived, all traces</h2>\n").Append(ReportPage.TableStart(head.ToString()));
        foreach (var trace in traces)
        {
            var row = policies.Select(p => summaries.FirstOrDefault(s => s.Trace == trace && s.Policy == p)?.AllocAt100 ?? default).ToArray();
            var best = row.Where(s => s.HasValue).Select(s => s.Mean).DefaultIfEmpty(double.NaN).Max();
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(trace)}</td>");
            foreach (var stat in row)
            {
                var cls = stat.HasValue && stat.Mean == best ? "num best" : "num";
                html.Append(CultureInfo.InvariantCulture, $"<td class=\"{cls}\">{E(Mean(stat))}</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append(ReportPage.TableEnd).Append("<p class=\"note\">Mean GPU allocation ratio (% of capacity) over seeds; the best policy of each trace in bold.</p>\n</section>\n");
    }

    private static void AppendTable(StringBuilder html, IReadOnlyList<PolicySummary> rows, int gpus, IReadOnlyDictionary<string, string> colors, string mode)
    {
        // Bold marks the best only where more (or less) is plainly better: allocation and fragment. Fewer
        // failed pods is not: a policy that wastes GPUs fails fewer of the large pods it never gets to.
        var replay = mode == "replay";
        var bestAlloc100 = Best(rows.Select(r => r.AllocAt100), max: true);
        var bestAlloc130 = Best(rows.Select(r => r.AllocAt130), max: true);
        var bestFrag = Best(rows.Select(r => r.FragAt100), max: false);
        var head = new StringBuilder("<th>policy</th><th class=\"num\">seeds</th>");
        head.Append(replay ? "<th class=\"num\">GPU alloc. when 100% of capacity has arrived</th>" : "<th class=\"num\">GPU alloc. @100% arrived</th>");
        if (gpus > 0)
        {
            head.Append(replay ? "<th class=\"num\">idle GPUs then</th>" : "<th class=\"num\">idle GPUs @100%</th>");
        }

        head.Append(replay ? "<th class=\"num\">GPU alloc. when 130% has arrived</th><th class=\"num\">fragment when 100% has arrived</th><th class=\"num\">pods never placed</th>"
            : "<th class=\"num\">GPU alloc. @130%</th><th class=\"num\">fragment @100%</th><th class=\"num\">failed pods</th>");
        head.Append("<th class=\"num\">wall time (s)</th>");
        html.Append(ReportPage.TableStart(head.ToString()));
        foreach (var row in rows)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td><span class=\"swatch\" style=\"background:{E(colors[row.Policy])}\"></span>{E(row.Policy)}</td><td class=\"num\">{row.Seeds.Count}</td>");
            html.Append(Cell(row.AllocAt100, bestAlloc100, 2, "%"));
            if (gpus > 0)
            {
                var idle = row.AllocAt100.HasValue ? (gpus * (100 - row.AllocAt100.Mean) / 100).ToString("N0", CultureInfo.InvariantCulture) : "–";
                html.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{E(idle)}</td>");
            }

            html.Append(Cell(row.AllocAt130, bestAlloc130, 2, "%"));
            html.Append(Cell(row.FragAt100, bestFrag, 2, "%"));
            html.Append(Cell(row.FailedPods, double.NaN, 0, string.Empty));
            html.Append(Cell(row.WallSeconds, double.NaN, 2, string.Empty));
            html.Append("</tr>\n");
        }

        html.Append(ReportPage.TableEnd);
        html.Append("<p class=\"note\">Means over seeds ± sample standard deviation. Bold: the highest allocation and the lowest fragment of each column. ");
        html.Append("Allocation and fragment in % of the cluster's GPU capacity. ");
        html.Append(replay
            ? "Pods never placed: pods still waiting when the replay ended; not bolded, fewer is not better when GPUs went unused.</p>\n"
            : "Failed pods: pods that fit nowhere when they arrived (the run continues to 130%); not bolded, since a policy that wastes GPUs fails fewer large pods by never reaching them.</p>\n");
    }

    private static IEnumerable<LineChart> Charts(IReadOnlyList<MeanCurve> curves, IReadOnlyDictionary<string, string> colors, string mode)
    {
        if (curves.Count == 0 || curves.All(c => c.Points.Count == 0))
        {
            yield break;
        }

        var xMax = curves.Max(c => c.Points.Count > 0 ? c.Points[^1].ArrivedPercent : 0);
        var xLabel = "arrived GPU demand (% of capacity)";
        ChartSeries[] SeriesOf(Func<CurvePoint, double> y) =>
            curves.Select(c => new ChartSeries(c.Policy, colors[c.Policy], c.Points.Select(p => ((double)p.ArrivedPercent, y(p))).ToArray())).ToArray();

        var alloc = SeriesOf(p => p.AllocationPercent);
        yield return new LineChart
        {
            Title = "GPU allocation ratio",
            XLabel = xLabel,
            YLabel = "allocated GPU (% of capacity)",
            Series = alloc,
            XMin = 0,
            XMax = Math.Max(xMax, 1),
            YMin = 0,
            YMax = 100,
            MarkerX = 100,
            HowToRead = "One line per policy, the mean over seeds. Higher is better: the gap to 100 is GPU left idle. The dashed line marks 100% of capacity arrived.",
        };

        if (xMax > 80)
        {
            yield return new LineChart
            {
                Title = $"GPU allocation ratio, zoom on 80–{Math.Min(xMax, 130)}% arrived",
                XLabel = xLabel,
                YLabel = "allocated GPU (% of capacity)",
                Series = alloc,
                XMin = 80,
                XMax = Math.Min(xMax, 130),
                MarkerX = 100,
                HowToRead = "The same lines where the cluster fills up and policies part ways; the higher line packs better.",
            };
        }

        yield return new LineChart
        {
            Title = "GPU fragment amount",
            XLabel = xLabel,
            YLabel = "fragment (% of capacity)",
            Series = SeriesOf(p => p.FragmentPercent),
            XMin = 0,
            XMax = Math.Max(xMax, 1),
            YMin = 0,
            MarkerX = 100,
            HowToRead = "Idle GPU that the workload's typical pods cannot use (too small a leftover, or on a node out of CPU). Lower is better.",
        };

        yield return new LineChart
        {
            Title = mode == "replay" ? "Pods failed or still waiting so far" : "Pods failed so far",
            XLabel = xLabel,
            YLabel = mode == "replay" ? "pods waiting" : "failed pods",
            Series = SeriesOf(p => p.FailedPods),
            XMin = 0,
            XMax = Math.Max(xMax, 1),
            YMin = 0,
            MarkerX = 100,
            HowToRead = mode == "replay"
                ? "Pods that arrived and have not found room, counted as demand arrives. A line that rises early means pods queue while GPUs sit idle."
                : "Pods that fit nowhere on arrival. Read it with the allocation chart: failing a large pod early can leave room for many small ones.",
        };
    }

    private static void AppendNotes(StringBuilder html, ReportInfo info)
    {
        html.Append("<section class=\"notes\">\n<h2>How to read this</h2>\n<ul>\n");
        html.Append("<li><b>Arrived</b>: GPU demand of every pod submitted so far, failed ones included, in % of the cluster's GPU capacity. ");
        html.Append(info.Mode == "replay"
            ? "In replay mode pods arrive at their creation time and leave at their deletion time; pods that fit nowhere wait in a queue.</li>\n"
            : "In inflation mode the pod list is shuffled with the seed and padded by sampling until demand reaches the target; pods never leave, a pod that fits nowhere fails.</li>\n");
        html.Append("<li><b>GPU allocation ratio</b>: allocated GPU in % of capacity, averaged over the submissions in each 1% bin, then over seeds. Higher is better; 100 minus it at 100% arrived is the share of GPUs left idle.</li>\n");
        html.Append("<li><b>Fragment amount</b>: idle GPU that the typical pods of the workload cannot use (leftovers too small, or on nodes that lack CPU), in % of capacity. Lower is better.</li>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<li>Files beside this page: <code>{SummaryCsv.FileName}</code> (one row per run), <code>{CurvesCsv.FileName}</code> (one row per bin per run), <code>{RunsJson.FileName}</code> (everything).</li>\n");
        html.Append("</ul>\n</section>\n");
    }

    private static Dictionary<string, string> ColorMap(IEnumerable<string> policies)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = 0;
        foreach (var policy in policies.Distinct(StringComparer.Ordinal))
        {
            map[policy] = PolicyColors.For(policy, unknown++);
        }

        return map;
    }

    private static double Best(IEnumerable<Stat> stats, bool max)
    {
        var means = stats.Where(s => s.HasValue).Select(s => s.Mean).ToArray();
        return means.Length < 2 ? double.NaN : max ? means.Max() : means.Min();
    }

    private static string Cell(Stat stat, double best, int decimals, string unit)
    {
        if (!stat.HasValue)
        {
            return "<td class=\"num\">–</td>";
        }

        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        var text = stat.Mean.ToString(format, CultureInfo.InvariantCulture) + unit;
        var spread = stat.Count > 1 ? $"<span class=\"sd\"> ± {E(stat.StdDev.ToString(format, CultureInfo.InvariantCulture))}</span>" : string.Empty;
        var cls = stat.Mean == best ? "num best" : "num";
        return $"<td class=\"{cls}\">{E(text)}{spread}</td>";
    }

    private static string Mean(Stat stat) => stat.HasValue ? stat.Mean.ToString("F2", CultureInfo.InvariantCulture) : "–";

    internal static string SeedText(IReadOnlyList<int> seeds)
    {
        if (seeds.Count == 0)
        {
            return "none";
        }

        var contiguous = seeds.Zip(seeds.Skip(1)).All(p => p.Second == p.First + 1);
        return contiguous && seeds.Count > 2
            ? $"{seeds[0]}–{seeds[^1]}"
            : string.Join(", ", seeds.Select(s => s.ToString(CultureInfo.InvariantCulture)));
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
