using System.Globalization;
using System.Net;
using System.Text;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>report.html</c> of a scenario run, self-contained (Chart.js inlined): the cluster and queues, a table per
/// profile (overall and per queue), and charts: queueing-delay CDFs, GPUs held idle by partial gangs, small
/// multiples of GPU allocation and utilisation over time (one panel per profile) and of each queue's share
/// against its nominal quota, and per-queue bars of mean wait shared vs alone.
/// </summary>
public static class ScenarioHtmlReport
{
    public const string FileName = "report.html";

    /// <summary>The GPU model right-sizing names MIG slices of: the first GPU model among the scenario's nodes.</summary>
    public static string? GpuModel(Scenario scenario) => scenario?.Nodes.Select(n => n.GpuModel).FirstOrDefault(m => m is not null);

    /// <summary>Right-sizing per queue of the last profile's run (activity does not depend on the profile, what ran does a little).</summary>
    private static void AppendRightSizing(StringBuilder html, Scenario scenario, IReadOnlyList<JobRunResult> runs)
    {
        if (runs.Count == 0 || RightSizingTable.Of(runs[^1], GpuModel(scenario)) is not { Count: > 0 } rows)
        {
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<section id=\"rightsizing\"><h2>Right-sizing ({E(runs[^1].Profile)})</h2>\n");
        html.Append(ReportPage.TableStart("<th>queue</th><th class=\"num\">jobs</th><th class=\"num\">GPUs asked</th><th class=\"num\">busy GPUs p95</th><th class=\"num\">GPUs that would do</th><th class=\"num\">jobs that could ask for less</th>"));
        foreach (var (queue, advice) in rows)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(queue)}</td><td class=\"num\">{advice.Jobs}</td><td class=\"num\">{advice.AskedGpus}</td><td class=\"num\">{advice.P95BusyGpus:F1}</td><td class=\"num\">{advice.RecommendedGpus}</td><td class=\"num\">{advice.OversizedJobs}</td></tr>\n");
        }

        html.Append(ReportPage.TableEnd);
        html.Append("<p class=\"note\">Busy GPUs: a job's GPUs times its GPU activity (the utilization model's, constant over its run); each job's advice covers its 95th percentile with whole GPUs, or with a MIG slice of the cluster's GPU model when it uses less than one GPU. Compute only: a job may need its GPUs' memory while they idle. rightsizing.csv has these rows for every profile.</p>\n</section>\n");
    }

    public static string Render(Scenario scenario, IReadOnlyList<JobRunResult> runs, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(runs);
        var colors = runs.Select((r, i) => (r.Profile, Color: Palette[i % Palette.Length])).ToDictionary(x => x.Profile, x => x.Color, StringComparer.Ordinal);
        var html = new StringBuilder();
        var title = $"Berth scenario {scenario.Name}";
        ReportPage.AppendHead(html, title);
        html.Append(CultureInfo.InvariantCulture, $"<header><h1>{E(title)}</h1>\n<p class=\"sub\">{E(scenario.Description)}</p></header>\n");
        html.Append("<section><h2>Inputs</h2><ul>\n");
        html.Append(CultureInfo.InvariantCulture, $"<li>{scenario.Nodes.Count} nodes, {scenario.Nodes.Sum(n => n.GpuCount)} GPUs; {scenario.Queues.Queues.Count} queues; {scenario.Workloads.Count} workloads</li>\n");
        foreach (var note in scenario.Notes)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(note)}</li>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"<li>command: <code>{E(commandLine)}</code></li>\n</ul></section>\n");

        // Overall: two tables of eight columns (waiting, then GPUs and cost) rather than one of sixteen that
        // a laptop screen cannot hold; each scrolls inside its card if it still must.
        html.Append("<section><h2>Profiles, whole cluster</h2>\n<h3>Waiting and completion</h3>\n");
        html.Append(ReportPage.TableStart("<th>profile</th><th class=\"num\">jobs</th><th class=\"num\">done</th><th class=\"num\">unfinished</th><th class=\"num\">mean wait h</th><th class=\"num\">wait h p50 / p95 / p99</th><th class=\"num\">mean JCT h</th><th class=\"num\">JCT h p50 / p95 / p99</th><th class=\"num\">mean slowdown</th>"));
        foreach (var run in runs)
        {
            var o = run.Overall;
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Swatch(colors[run.Profile])}{E(run.Profile)}</td><td class=\"num\">{o.Jobs}</td><td class=\"num\">{o.Completed}</td><td class=\"num\">{o.Unfinished}</td><td class=\"num\">{H(o.MeanWait)}</td><td class=\"num\">{H(o.P50Wait)} / {H(o.P95Wait)} / {H(o.P99Wait)}</td><td class=\"num\">{H(o.MeanJct)}</td><td class=\"num\">{H(o.P50Jct)} / {H(o.P95Jct)} / {H(o.P99Jct)}</td><td class=\"num\">{o.MeanSlowdown:F2}</td></tr>\n");
        }

        html.Append(ReportPage.TableEnd);
        html.Append("<h3>GPUs and the price of preemption</h3>\n");
        html.Append(ReportPage.TableStart("<th>profile</th><th class=\"num\">GPU alloc %</th><th class=\"num\">GPU util %</th><th class=\"num\">GPU yield %</th><th class=\"num\">idle-allocated GPU-h</th><th class=\"num\">idle gang GPU-h</th><th class=\"num\">preemptions</th><th class=\"num\">lost GPU-h</th><th class=\"num\">data moved GB</th><th class=\"num\">makespan d</th><th class=\"num\">wall s</th>"));
        foreach (var run in runs)
        {
            var o = run.Overall;
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Swatch(colors[run.Profile])}{E(run.Profile)}</td><td class=\"num\">{o.GpuAllocPct:F2}</td><td class=\"num\">{o.GpuUtilPct:F2}</td><td class=\"num\">{o.GpuYieldPct:F2}</td><td class=\"num\">{o.IdleAllocatedGpuHours:F1}</td><td class=\"num\">{o.IdleGangGpuHours:F1}</td><td class=\"num\">{o.Preemptions}</td><td class=\"num\">{o.LostGpuHours:F1}</td><td class=\"num\">{o.DataMovedGb:F1}</td><td class=\"num\">{run.Makespan.TotalDays:F1}</td><td class=\"num\">{run.WallSeconds:F1}</td></tr>\n");
        }

        html.Append(ReportPage.TableEnd);
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Wait: time pending; lower is better. JCT: job completion time, submit to end. Slowdown: JCT over run time. GPU alloc: GPUs held by pods; util: GPUs of running, ready jobs; with the same jobs, a higher share means the work finished sooner. Yield: GPUs doing useful work, util weighted by each job's GPU activity (from the scenario's utilization model where the trace does not say: {E(scenario.Utilization.ToString())}); idle-allocated GPU-hours: allocated and not used. Idle gang GPU-hours: GPUs held by pods of jobs not fully placed. Preemptions and lost GPU-hours (work since the last checkpoint) are the price of reclaiming quota. Data moved: GB of datasets fetched onto nodes that did not cache them, at {scenario.StageInGbPerSecond:0.##} GB/s per node before the work starts.</p>\n</section>\n");

        AppendRightSizing(html, scenario, runs);

        var charts = new List<LineChart>();
        string Chart(LineChart chart, bool small = false)
        {
            var placed = chart with { Id = "s" + charts.Count.ToString(CultureInfo.InvariantCulture) };
            charts.Add(placed);
            return placed.Render(small);
        }

        // Queueing delay CDF.
        html.Append("<section><h2>Waiting</h2><div class=\"charts\">\n");
        var maxWait = runs.SelectMany(r => r.Jobs).Select(j => j.Wait.TotalHours).DefaultIfEmpty(1).Max();
        var cdfMax = Math.Max(1, runs.Select(r => JobReplay.Percentile(r.Jobs.Select(j => j.Wait.TotalHours).Order().ToArray(), 0.99)).DefaultIfEmpty(1).Max());
        html.Append(Chart(new LineChart
        {
            Title = "Queueing delay CDF (all jobs)",
            XLabel = "wait (hours)",
            YLabel = "% of jobs waiting at most",
            XMin = 0,
            XMax = Math.Min(maxWait, cdfMax),
            YMin = 0,
            YMax = 100,
            Series = runs.Select(r => new ChartSeries(r.Profile, colors[r.Profile], Cdf(r.Jobs.Select(j => j.Wait.TotalHours).Order().ToArray(), Math.Min(maxWait, cdfMax)))).ToArray(),
            HowToRead = "For each wait on the x axis, the share of jobs that waited no longer. A line further up and to the left is better; the right end shows the slowest 1%.",
        }));

        var start = runs.SelectMany(r => r.Timeline).Select(p => p.At).DefaultIfEmpty(TimeSpan.Zero).Min();
        var end = runs.SelectMany(r => r.Timeline).Select(p => p.At).DefaultIfEmpty(TimeSpan.FromDays(1)).Max();
        var xMax = Math.Max(0.01, (end - start).TotalDays);
        var gangProfiles = runs.Where(r => r.Timeline.Any(p => p.IdleGangGpus > 0)).ToArray();
        if (gangProfiles.Length > 0)
        {
            html.Append(Chart(new LineChart
            {
                Title = "GPUs held idle by partly placed gangs",
                XLabel = "days",
                YLabel = "GPUs",
                XMin = 0,
                XMax = xMax,
                YMin = 0,
                Series = gangProfiles.Select(r => new ChartSeries(r.Profile, colors[r.Profile], r.Timeline.Select(p => ((p.At - start).TotalDays, (double)p.IdleGangGpus)).ToArray())).ToArray(),
                HowToRead = "GPUs held by pods of jobs whose other pods could not be placed yet: paid for, doing nothing. Profiles that admit whole gangs never hold any and are left out.",
            }));
        }

        html.Append("</div></section>\n");

        // Small multiples: one panel per profile, so that noisy lines do not hide each other.
        html.Append("<section><h2>GPUs over time, one panel per profile</h2>\n<p class=\"note\">Dark: % of GPUs allocated to pods. Light: % of GPUs of running, ready jobs (doing work). Same axes in every panel; a gap between the lines is GPUs held but not working.</p>\n<div class=\"multiples\">\n");
        foreach (var run in runs)
        {
            html.Append(Chart(new LineChart
            {
                Title = run.Profile,
                XLabel = "days",
                YLabel = "% of GPUs",
                XMin = 0,
                XMax = xMax,
                YMin = 0,
                YMax = 100,
                MaxPoints = 300,
                Series =
                [
                    new ChartSeries("allocated", colors[run.Profile], run.Timeline.Select(p => ((p.At - start).TotalDays, 100 * p.AllocatedGpus / Math.Max(1, run.TotalGpus))).ToArray()),
                    new ChartSeries("doing work", Lighter(colors[run.Profile]), run.Timeline.Select(p => ((p.At - start).TotalDays, 100 * p.BusyGpus / Math.Max(1, run.TotalGpus))).ToArray()),
                ],
            }, small: true));
        }

        html.Append("</div></section>\n");

        // Share per queue for the last profile (the most capable one is usually listed last), one panel per queue.
        if (runs.Count > 0 && runs[^1].NominalGpus.Count > 0)
        {
            var run = runs[^1];
            var queues = scenario.Queues.Queues.Select(q => q.Name).ToArray();
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>Share of GPUs per queue ({E(run.Profile)})</h2>\n<p class=\"note\">One panel per queue: the % of the cluster's GPUs its jobs hold (solid) against its nominal quota (dashed grey). Above the dashed line the queue borrows idle GPUs of its cohort; below it, it lends or has nothing to run.</p>\n<div class=\"multiples\">\n");
            var shareMax = 0.0;
            for (var q = 0; q < queues.Length; q++)
            {
                shareMax = Math.Max(shareMax, run.Timeline.Select(p => 100 * p.QueueGpus[q] / Math.Max(1, run.TotalGpus)).DefaultIfEmpty(0).Max());
                shareMax = Math.Max(shareMax, q < run.NominalGpus.Count ? 100 * run.NominalGpus[q] / Math.Max(1, run.TotalGpus) : 0);
            }

            for (var q = 0; q < queues.Length; q++)
            {
                var nominal = q < run.NominalGpus.Count ? 100 * run.NominalGpus[q] / Math.Max(1, run.TotalGpus) : 0;
                html.Append(Chart(new LineChart
                {
                    Title = queues[q],
                    XLabel = "days",
                    YLabel = "% of GPUs",
                    XMin = 0,
                    XMax = xMax,
                    YMin = 0,
                    YMax = Math.Ceiling(Math.Max(shareMax, 1) / 10) * 10,
                    MaxPoints = 300,
                    Series =
                    [
                        new ChartSeries("held", Palette[q % Palette.Length], run.Timeline.Select(p => ((p.At - start).TotalDays, 100 * p.QueueGpus[q] / Math.Max(1, run.TotalGpus))).ToArray()),
                        new ChartSeries("nominal", "#9ca3af", [(0, nominal), (xMax, nominal)]),
                    ],
                }, small: true));
            }

            html.Append("</div></section>\n");
        }

        // Per-queue tables with bars: mean wait shared vs alone.
        html.Append("<section><h2>Per queue: sharing safety</h2>\n<p>Mean wait in the shared cluster against the same queue replayed alone on its nominal quota (same profile). A queue is safe when it waits no longer shared than alone.</p>\n");
        var barMax = Math.Max(1, runs.SelectMany(r => r.Queues).Where(q => q.Queue != "*").Select(q => Math.Max(q.MeanWait, q.AloneMeanWait ?? 0)).DefaultIfEmpty(1).Max());
        foreach (var run in runs)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(run.Profile)}</h3>\n");
            html.Append(ReportPage.TableStart("<th>queue</th><th class=\"num\">nominal GPUs</th><th class=\"num\">jobs</th><th class=\"num\">mean JCT h</th><th class=\"num\">mean wait h (shared)</th><th class=\"num\">mean wait h (alone)</th><th>shared / alone</th><th class=\"num\">p99 wait h</th><th class=\"num\">GPU alloc %</th><th class=\"num\">preemptions</th><th class=\"num\">lost GPU-h</th>"));
            for (var q = 0; q < run.Queues.Count - 1; q++)
            {
                var s = run.Queues[q];
                var safe = s.AloneMeanWait is not { } a || s.MeanWait <= a;
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{E(s.Queue)}</td><td class=\"num\">{(q < run.NominalGpus.Count ? run.NominalGpus[q] : 0):F0}</td><td class=\"num\">{s.Jobs}</td><td class=\"num\">{H(s.MeanJct)}</td><td class=\"num\">{H(s.MeanWait)}</td><td class=\"num\">{(s.AloneMeanWait is { } al ? H(al) : "-")}</td>"
                    + $"<td><span class=\"bar\" style=\"width:{Bar(s.MeanWait, barMax)}px;background:{(safe ? "#2a9d8f" : "#e76f51")}\"></span><br><span class=\"bar\" style=\"width:{Bar(s.AloneMeanWait ?? 0, barMax)}px;background:#adb5bd\"></span></td>"
                    + $"<td class=\"num\">{H(s.P99Wait)}</td><td class=\"num\">{s.GpuAllocPct:F2}</td><td class=\"num\">{s.Preemptions}</td><td class=\"num\">{s.LostGpuHours:F1}</td></tr>\n");
            }

            html.Append(ReportPage.TableEnd);
        }

        html.Append("</section>\n<section class=\"notes\"><h2>How to read this</h2><ul>\n<li>Wait: all the time a job spent pending (before its first start and after evictions). Jobs still waiting at the end count their wait up to the end (a lower bound).</li>\n<li>GPU alloc: GPUs held by pods; GPU util: GPUs of running, ready jobs. Idle gang GPU-hours: GPUs held by pods of jobs not yet fully placed (kube-default).</li>\n<li>Bars: coloured = shared (green when no longer than alone, orange when longer), grey = alone.</li>\n</ul></section>\n");
        ReportPage.AppendEnd(html, charts);
        return html.ToString();
    }

    private static string Swatch(string color) => $"<span class=\"swatch\" style=\"background:{color}\"></span>";

    /// <summary>The colour mixed halfway with white, for the second line of a panel.</summary>
    private static string Lighter(string hex)
    {
        var r = Convert.ToInt32(hex.Substring(1, 2), 16);
        var g = Convert.ToInt32(hex.Substring(3, 2), 16);
        var b = Convert.ToInt32(hex.Substring(5, 2), 16);
        return string.Create(CultureInfo.InvariantCulture, $"#{(r + 255) / 2:x2}{(g + 255) / 2:x2}{(b + 255) / 2:x2}");
    }

    private static readonly string[] Palette = ["#1d3557", "#e63946", "#2a9d8f", "#f4a261", "#6a4c93", "#457b9d", "#8ab17d", "#b5838d", "#e9c46a", "#264653", "#9d4edd"];

    private static IReadOnlyList<(double X, double Y)> Cdf(double[] sorted, double xMax)
    {
        if (sorted.Length == 0)
        {
            return [];
        }

        var points = new List<(double, double)>();
        const int Steps = 120;
        var index = 0;
        for (var i = 0; i <= Steps; i++)
        {
            var x = xMax * i / Steps;
            while (index < sorted.Length && sorted[index] <= x)
            {
                index++;
            }

            points.Add((x, 100.0 * index / sorted.Length));
        }

        return points;
    }

    private static int Bar(double value, double max) => (int)Math.Round(160 * value / max);

    private static string H(double seconds) => (seconds / 3600).ToString("F2", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
