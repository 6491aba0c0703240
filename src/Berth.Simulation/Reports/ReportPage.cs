using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Berth.Simulation.Reports;

/// <summary>
/// What every report page shares: the head with its style sheet, and at the end the inlined Chart.js, the
/// charts' data as JSON and the few lines that draw them. Nothing is loaded from elsewhere.
/// </summary>
internal static class ReportPage
{
    public static void AppendHead(StringBuilder html, string title)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>{WebUtility.HtmlEncode(title)}</title>\n<style>\n{Css}</style>\n</head>\n<body>\n<main>\n");
    }

    /// <summary>Closes the page; <paramref name="charts"/> are those whose figures the page holds.</summary>
    public static void AppendEnd(StringBuilder html, IReadOnlyList<LineChart> charts)
    {
        html.Append("</main>\n");
        if (charts.Count > 0)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                foreach (var chart in charts)
                {
                    chart.WriteJson(json);
                }

                json.WriteEndArray();
            }

            // The default encoder escapes < > & and quotes as \uXXXX, so no name can close the element.
            html.Append("<script type=\"application/json\" id=\"berth-charts\">").Append(Encoding.UTF8.GetString(buffer.ToArray())).Append("</script>\n");
            html.Append(CultureInfo.InvariantCulture, $"<script>\n/* Chart.js {ChartJs.Version}, MIT License, inlined from the npm package chart.js */\n{ChartJs.Script}\n</script>\n");
            html.Append("<script>\n").Append(Draw).Append("</script>\n");
        }

        html.Append("</body>\n</html>\n");
    }

    /// <summary>Wraps a table so that a wide one scrolls inside its card instead of running off it.</summary>
    public static string TableStart(string head) => $"<div class=\"table-wrap\"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n";

    public const string TableEnd = "</tbody>\n</table></div>\n";

    private const string Draw = """
        (function () {
          var specs = JSON.parse(document.getElementById('berth-charts').textContent);
          var marker = {
            id: 'berthMarker',
            afterDatasetsDraw: function (chart, args, options) {
              if (options.x === null || options.x === undefined) { return; }
              var x = chart.scales.x.getPixelForValue(options.x), area = chart.chartArea, ctx = chart.ctx;
              if (x < area.left || x > area.right) { return; }
              ctx.save();
              ctx.strokeStyle = '#9ca3af'; ctx.lineWidth = 1; ctx.setLineDash([4, 4]);
              ctx.beginPath(); ctx.moveTo(x, area.top); ctx.lineTo(x, area.bottom); ctx.stroke();
              ctx.restore();
            }
          };
          Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
          Chart.defaults.color = '#374151';
          var drawn = 0;
          specs.forEach(function (s) {
            var canvas = document.getElementById(s.id);
            if (!canvas) { return; }
            new Chart(canvas, {
              type: 'line',
              data: {
                datasets: s.series.map(function (line) {
                  return {
                    label: line.name, borderColor: line.color, backgroundColor: line.color,
                    borderWidth: 2, pointRadius: 0, pointHoverRadius: 3, tension: 0,
                    data: line.points.map(function (p) { return { x: p[0], y: p[1] }; })
                  };
                })
              },
              options: {
                animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
                interaction: { mode: 'nearest', axis: 'x', intersect: false },
                plugins: {
                  legend: { display: s.series.length > 1, position: 'bottom', labels: { boxWidth: 14, boxHeight: 3 } },
                  tooltip: { callbacks: { title: function (items) { return s.xLabel + ': ' + items[0].parsed.x.toLocaleString(); } } },
                  berthMarker: { x: s.marker }
                },
                scales: {
                  x: { type: 'linear', min: s.xMin, max: s.xMax, title: { display: true, text: s.xLabel } },
                  y: { min: s.yMin === null ? undefined : s.yMin, max: s.yMax === null ? undefined : s.yMax, title: { display: true, text: s.yLabel } }
                }
              },
              plugins: [marker]
            });
            drawn++;
          });
          document.body.setAttribute('data-charts-drawn', String(drawn));
        })();

        """;

    public const string Css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f6f7f9; color: #1f2937; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1320px; margin: 0 auto; padding: 24px 24px 48px; }
        header h1 { margin: 0 0 4px; font-size: 26px; }
        .sub { margin: 0 0 20px; color: #4b5563; }
        section { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 16px 20px; margin: 0 0 20px; min-width: 0; }
        h2 { font-size: 19px; margin: 0 0 12px; }
        h3 { font-size: 16px; margin: 18px 0 8px; }
        .table-wrap { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 14px; }
        th, td { padding: 5px 9px; border-bottom: 1px solid #eef0f3; text-align: left; white-space: nowrap; }
        th { font-weight: 600; color: #374151; background: #f9fafb; font-size: 12.5px; white-space: normal; vertical-align: bottom; min-width: 4.5em; }
        td.num, th.num { text-align: right; }
        td.path { white-space: normal; word-break: break-all; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
        td.best { font-weight: 700; }
        .sd { color: #6b7280; font-weight: 400; font-size: 12.5px; }
        .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 8px; vertical-align: -1px; }
        .note { color: #6b7280; font-size: 13px; margin: 8px 0 0; }
        .cmd code { display: block; background: #f3f4f6; border-radius: 6px; padding: 8px 10px; font-size: 13px; white-space: pre-wrap; word-break: break-all; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); gap: 16px; margin-top: 16px; }
        .multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 12px; margin-top: 8px; }
        figure.chart { margin: 0; min-width: 0; }
        .chart-title { font-size: 14px; font-weight: 600; color: #111827; margin: 0 0 4px; }
        .plot { position: relative; height: 340px; }
        figure.small .plot { height: 220px; }
        figure.small .chart-title { font-size: 13px; }
        .how { color: #4b5563; font-size: 13px; margin: 6px 0 0; }
        .bar { display: inline-block; height: 10px; vertical-align: middle; border-radius: 2px; }
        .notes ul { margin: 0; padding-left: 20px; color: #374151; }
        code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }

        """;
}
