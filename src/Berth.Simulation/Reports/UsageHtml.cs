using System.Globalization;
using System.Net;
using System.Text;
using Berth.Runtime.Yield;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>berth report usage --format html</c>: a self-contained page (Chart.js inlined, as the simulator's reports) with
/// the totals per queue, the table per queue, user and GPU model, and charts of GPU-hours allocated and used per day:
/// one for the whole cluster, then one panel per queue.
/// </summary>
public static class UsageHtml
{
    private static readonly string[] Palette = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#be185d", "#4d7c0f"];

    public static string Render(UsageSummary usage, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var html = new StringBuilder();
        var title = string.Create(CultureInfo.InvariantCulture, $"Berth GPU usage {usage.From:yyyy-MM-dd} to {usage.To:yyyy-MM-dd}");
        ReportPage.AppendHead(html, title);
        html.Append(CultureInfo.InvariantCulture, $"<header><h1>{E(title)}</h1>\n<p class=\"sub\">From {usage.From:O} to {usage.To:O}; command: <code>{E(commandLine)}</code></p></header>\n");

        var queues = usage.Rows.GroupBy(r => r.Queue, StringComparer.Ordinal).Select(g => (Queue: g.Key, Allocated: g.Sum(r => r.AllocatedGpuHours), Used: g.Sum(r => r.UsedGpuHours), Cost: g.All(r => r.Cost is not null) ? g.Sum(r => r.Cost!.Value) : (double?)null)).ToArray();
        html.Append("<section><h2>Per queue</h2>\n");
        html.Append(ReportPage.TableStart($"<th>queue</th><th class=\"num\">allocated GPU-h</th><th class=\"num\">used GPU-h</th><th class=\"num\">yield %</th><th class=\"num\">cost {E(usage.Currency ?? string.Empty)}</th>"));
        foreach (var q in queues)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(q.Queue)}</td><td class=\"num\">{q.Allocated:F2}</td><td class=\"num\">{q.Used:F2}</td><td class=\"num\">{(q.Allocated > 0 ? 100 * q.Used / q.Allocated : 0):F1}</td><td class=\"num\">{(q.Cost is { } c ? c.ToString("F2", CultureInfo.InvariantCulture) : "-")}</td></tr>\n");
        }

        html.Append(ReportPage.TableEnd);
        html.Append("<h3>Per queue, user and GPU model</h3>\n");
        var namespaces = usage.Rows.Any(r => r.Namespace is not null); // the operator's rows name one; the server's do not
        html.Append(ReportPage.TableStart("<th>queue</th>" + (namespaces ? "<th>namespace</th>" : string.Empty) + "<th>user</th><th>GPU model</th><th class=\"num\">jobs</th><th class=\"num\">allocated GPU-h</th><th class=\"num\">used GPU-h</th><th class=\"num\">cost</th>"));
        foreach (var r in usage.Rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(r.Queue)}</td>{(namespaces ? "<td>" + E(r.Namespace ?? string.Empty) + "</td>" : string.Empty)}<td>{E(r.User)}</td><td>{E(r.GpuModel)}</td><td class=\"num\">{r.Jobs}</td><td class=\"num\">{r.AllocatedGpuHours:F2}</td><td class=\"num\">{r.UsedGpuHours:F2}</td><td class=\"num\">{(r.Cost is { } c ? c.ToString("F2", CultureInfo.InvariantCulture) : "-")}</td></tr>\n");
        }

        html.Append(ReportPage.TableEnd);
        html.Append("<p class=\"note\">Allocated: GPUs held times hours held within the period (each job's last run). Used: allocated weighted by GPU activity (nvidia-smi on a local server, else the job's stated gpuActivity; 0 when neither). Cost: allocated GPU-hours times the price of the GPU model in the configuration's price table; '-' where it has none.</p>\n</section>\n");

        var charts = new List<LineChart>();
        var start = DateOnly.FromDateTime(usage.From.UtcDateTime);
        var span = Math.Max(1, (usage.To - usage.From).TotalDays);
        (double, double)[] Series(IEnumerable<UsageDay> days, Func<UsageDay, double> value) =>
            days.GroupBy(d => d.Day).OrderBy(g => g.Key).Select(g => ((double)(g.Key.DayNumber - start.DayNumber), g.Sum(value))).ToArray();
        LineChart Chart(string name, IReadOnlyList<UsageDay> days, string color) => new()
        {
            Id = "u" + charts.Count.ToString(CultureInfo.InvariantCulture),
            Title = name,
            XLabel = "day since " + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            YLabel = "GPU-hours",
            XMin = 0,
            XMax = Math.Ceiling(span),
            YMin = 0,
            Series = [new ChartSeries("allocated", color, Series(days, d => d.AllocatedGpuHours)), new ChartSeries("used", "#9ca3af", Series(days, d => d.UsedGpuHours))],
            HowToRead = "GPU-hours per UTC day: allocated (held by jobs) and used (weighted by GPU activity). The gap is paid for and idle.",
        };

        html.Append("<section><h2>GPU-hours per day</h2><div class=\"charts\">\n");
        var whole = Chart("whole cluster", usage.Days, Palette[0]);
        charts.Add(whole);
        html.Append(whole.Render());
        html.Append("</div>\n<div class=\"multiples\">\n");
        var i = 0;
        foreach (var queue in usage.Days.Select(d => d.Queue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var chart = Chart(queue, usage.Days.Where(d => d.Queue == queue).ToArray(), Palette[++i % Palette.Length]);
            charts.Add(chart);
            html.Append(chart.Render(small: true));
        }

        html.Append("</div></section>\n");
        ReportPage.AppendEnd(html, charts);
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
