using System.Globalization;
using System.Net;
using System.Text;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Reports;

/// <summary>
/// <c>report.html</c> of a scenario run, self-contained: the cluster and queues, a table per profile
/// (overall and per queue), and charts: queueing-delay CDFs, GPU allocation and utilisation over time, GPUs held idle by
/// partial gangs, each queue's share against its nominal share, and per-queue bars of mean wait shared vs alone.
/// </summary>
public static class ScenarioHtmlReport
{
    public const string FileName = "report.html";

    public static string Render(Scenario scenario, IReadOnlyList<JobRunResult> runs, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(runs);
        var colors = runs.Select((r, i) => (r.Profile, Color: Palette[i % Palette.Length])).ToDictionary(x => x.Profile, x => x.Color, StringComparer.Ordinal);
        var html = new StringBuilder();
        var title = $"Berth scenario {scenario.Name}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title>\n<style>\n{HtmlReport.Css}.bar{{display:inline-block;height:10px;vertical-align:middle}}</style>\n</head>\n<body>\n<main>\n");
        html.Append(CultureInfo.InvariantCulture, $"<header><h1>{E(title)}</h1>\n<p class=\"sub\">{E(scenario.Description)}</p></header>\n");
        html.Append("<section><h2>Inputs</h2><ul>\n");
        html.Append(CultureInfo.InvariantCulture, $"<li>{scenario.Nodes.Count} nodes, {scenario.Nodes.Sum(n => n.GpuCount)} GPUs; {scenario.Queues.Queues.Count} queues; {scenario.Workloads.Count} workloads</li>\n");
        foreach (var note in scenario.Notes)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>{E(note)}</li>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"<li>command: <code>{E(commandLine)}</code></li>\n</ul></section>\n");

        // Overall table.
        html.Append("<section><h2>Profiles, whole cluster</h2>\n<table><thead><tr><th>profile</th><th>jobs</th><th>done</th><th>unfinished</th><th>mean JCT h</th><th>p50 / p95 / p99 JCT h</th><th>mean wait h</th><th>p50 / p95 / p99 wait h</th><th>mean slowdown</th><th>GPU alloc %</th><th>GPU util %</th><th>idle gang GPU-h</th><th>preemptions</th><th>lost GPU-h</th><th>makespan d</th><th>wall s</th></tr></thead><tbody>\n");
        foreach (var run in runs)
        {
            var o = run.Overall;
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td><span class=\"bar\" style=\"width:10px;background:{colors[run.Profile]}\"></span> {E(run.Profile)}</td><td>{o.Jobs}</td><td>{o.Completed}</td><td>{o.Unfinished}</td><td>{H(o.MeanJct)}</td><td>{H(o.P50Jct)} / {H(o.P95Jct)} / {H(o.P99Jct)}</td><td>{H(o.MeanWait)}</td><td>{H(o.P50Wait)} / {H(o.P95Wait)} / {H(o.P99Wait)}</td><td>{o.MeanSlowdown:F2}</td><td>{o.GpuAllocPct:F2}</td><td>{o.GpuUtilPct:F2}</td><td>{o.IdleGangGpuHours:F1}</td><td>{o.Preemptions}</td><td>{o.LostGpuHours:F1}</td><td>{run.Makespan.TotalDays:F1}</td><td>{run.WallSeconds:F1}</td></tr>\n");
        }

        html.Append("</tbody></table></section>\n<section><h2>Charts</h2><div class=\"charts\">\n");
        var chartId = 0;
        void Chart(SvgLineChart chart) => html.Append("<figure>").Append((chart with { Id = "s" + (chartId++).ToString(CultureInfo.InvariantCulture) }).Render()).Append("</figure>\n");

        // Queueing delay CDF.
        var maxWait = runs.SelectMany(r => r.Jobs).Select(j => j.Wait.TotalHours).DefaultIfEmpty(1).Max();
        var cdfMax = Math.Max(1, runs.Select(r => JobReplay.Percentile(r.Jobs.Select(j => j.Wait.TotalHours).Order().ToArray(), 0.99)).DefaultIfEmpty(1).Max());
        Chart(new SvgLineChart
        {
            Title = "Queueing delay CDF (all jobs)",
            XLabel = "wait (hours)",
            YLabel = "% of jobs waiting at most",
            XMin = 0,
            XMax = Math.Min(maxWait, cdfMax),
            YMin = 0,
            YMax = 100,
            Series = runs.Select(r => new ChartSeries(r.Profile, colors[r.Profile], Cdf(r.Jobs.Select(j => j.Wait.TotalHours).Order().ToArray(), Math.Min(maxWait, cdfMax)))).ToArray(),
        });

        var start = runs.SelectMany(r => r.Timeline).Select(p => p.At).DefaultIfEmpty(TimeSpan.Zero).Min();
        var end = runs.SelectMany(r => r.Timeline).Select(p => p.At).DefaultIfEmpty(TimeSpan.FromDays(1)).Max();
        var xMax = Math.Max(0.01, (end - start).TotalDays);
        Chart(new SvgLineChart
        {
            Title = "GPU allocation over time",
            XLabel = "days",
            YLabel = "% of GPUs allocated",
            XMin = 0,
            XMax = xMax,
            YMin = 0,
            YMax = 100,
            Series = runs.Select(r => new ChartSeries(r.Profile, colors[r.Profile], r.Timeline.Select(p => ((p.At - start).TotalDays, 100 * p.AllocatedGpus / Math.Max(1, r.TotalGpus))).ToArray())).ToArray(),
        });
        Chart(new SvgLineChart
        {
            Title = "GPU utilisation over time (GPUs of running, ready jobs)",
            XLabel = "days",
            YLabel = "% of GPUs doing work",
            XMin = 0,
            XMax = xMax,
            YMin = 0,
            YMax = 100,
            Series = runs.Select(r => new ChartSeries(r.Profile, colors[r.Profile], r.Timeline.Select(p => ((p.At - start).TotalDays, 100 * p.BusyGpus / Math.Max(1, r.TotalGpus))).ToArray())).ToArray(),
        });
        Chart(new SvgLineChart
        {
            Title = "GPUs held idle by partly placed gangs",
            XLabel = "days",
            YLabel = "GPUs",
            XMin = 0,
            XMax = xMax,
            YMin = 0,
            Series = runs.Select(r => new ChartSeries(r.Profile, colors[r.Profile], r.Timeline.Select(p => ((p.At - start).TotalDays, p.IdleGangGpus)).ToArray())).ToArray(),
        });

        // Fair share vs actual share, for the last profile (the most capable one is usually listed last).
        if (runs.Count > 0 && runs[^1].NominalGpus.Count > 0)
        {
            var run = runs[^1];
            var queues = scenario.Queues.Queues.Select(q => q.Name).ToArray();
            var nominalTotal = Math.Max(1, run.NominalGpus.Sum());
            var series = new List<ChartSeries>();
            for (var q = 0; q < queues.Length; q++)
            {
                var color = Palette[q % Palette.Length];
                series.Add(new ChartSeries(queues[q], color, run.Timeline.Select(p => ((p.At - start).TotalDays, 100 * p.QueueGpus[q] / Math.Max(1, run.TotalGpus))).ToArray()));
            }

            Chart(new SvgLineChart
            {
                Title = $"Share of GPUs per queue ({run.Profile}); nominal shares in the table below",
                XLabel = "days",
                YLabel = "% of GPUs",
                XMin = 0,
                XMax = xMax,
                YMin = 0,
                Series = series,
            });
            _ = nominalTotal;
        }

        html.Append("</div></section>\n");

        // Per-queue tables with bars: mean wait shared vs alone.
        html.Append("<section><h2>Per queue: sharing safety</h2>\n<p>Mean wait in the shared cluster against the same queue replayed alone on its nominal quota (same profile). A queue is safe when it waits no longer shared than alone.</p>\n");
        var barMax = Math.Max(1, runs.SelectMany(r => r.Queues).Where(q => q.Queue != "*").Select(q => Math.Max(q.MeanWait, q.AloneMeanWait ?? 0)).DefaultIfEmpty(1).Max());
        foreach (var run in runs)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(run.Profile)}</h3>\n<table><thead><tr><th>queue</th><th>nominal GPUs</th><th>jobs</th><th>mean JCT h</th><th>mean wait h (shared)</th><th>mean wait h (alone)</th><th></th><th>p99 wait h</th><th>GPU alloc %</th><th>preemptions</th><th>lost GPU-h</th></tr></thead><tbody>\n");
            for (var q = 0; q < run.Queues.Count - 1; q++)
            {
                var s = run.Queues[q];
                var safe = s.AloneMeanWait is not { } a || s.MeanWait <= a;
                html.Append(CultureInfo.InvariantCulture,
                    $"<tr><td>{E(s.Queue)}</td><td>{(q < run.NominalGpus.Count ? run.NominalGpus[q] : 0):F0}</td><td>{s.Jobs}</td><td>{H(s.MeanJct)}</td><td>{H(s.MeanWait)}</td><td>{(s.AloneMeanWait is { } al ? H(al) : "-")}</td>"
                    + $"<td><span class=\"bar\" style=\"width:{Bar(s.MeanWait, barMax)}px;background:{(safe ? "#2a9d8f" : "#e76f51")}\"></span><br><span class=\"bar\" style=\"width:{Bar(s.AloneMeanWait ?? 0, barMax)}px;background:#adb5bd\"></span></td>"
                    + $"<td>{H(s.P99Wait)}</td><td>{s.GpuAllocPct:F2}</td><td>{s.Preemptions}</td><td>{s.LostGpuHours:F1}</td></tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        html.Append("</section>\n<section><h2>Notes</h2><ul>\n<li>Wait: all the time a job spent pending (before its first start and after evictions). Jobs still waiting at the end count their wait up to the end (a lower bound).</li>\n<li>GPU alloc: GPUs held by pods; GPU util: GPUs of running, ready jobs. Idle gang GPU-hours: GPUs held by pods of jobs not yet fully placed (kube-default).</li>\n<li>Bars: coloured = shared (green when no longer than alone, orange when longer), grey = alone.</li>\n</ul></section>\n</main>\n</body>\n</html>\n");
        return html.ToString();
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
