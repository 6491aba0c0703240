using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Berth.Simulation.Reports;

/// <summary>
/// A line chart of a report: a figure with its title, a canvas that Chart.js draws from the data this record
/// writes as JSON (see <see cref="ReportPage"/>), a legend when there are several lines, and a caption that
/// says how to read it.
/// </summary>
public sealed record LineChart
{
    public required string Title { get; init; }

    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    public required IReadOnlyList<ChartSeries> Series { get; init; }

    public required double XMin { get; init; }

    public required double XMax { get; init; }

    /// <summary>Y range; null lets the library fit the data.</summary>
    public double? YMin { get; init; }

    public double? YMax { get; init; }

    /// <summary>Draws a dashed vertical line here (e.g. arrived = 100%); null for none.</summary>
    public double? MarkerX { get; init; }

    /// <summary>One or two sentences under the chart: what a line is and which way is better.</summary>
    public string HowToRead { get; init; } = string.Empty;

    /// <summary>Unique among the charts of one page: letters, digits and dashes.</summary>
    public string Id { get; init; } = "chart";

    /// <summary>At most this many points per line; longer lines are averaged over equal X intervals.</summary>
    public int MaxPoints { get; init; } = 600;

    /// <summary>The figure; <paramref name="small"/> for a panel of small multiples.</summary>
    public string Render(bool small = false)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart{(small ? " small" : string.Empty)}\" data-chart=\"{E(Id)}\">");
        html.Append(CultureInfo.InvariantCulture, $"<figcaption class=\"chart-title\">{E(Title)}</figcaption>");
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"plot\"><canvas id=\"{E(Id)}\" role=\"img\" aria-label=\"{E(Title)}\"></canvas></div>");
        if (HowToRead.Length > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"how\">{E(HowToRead)}</p>");
        }

        html.Append("</figure>\n");
        return html.ToString();
    }

    /// <summary>The data Chart.js needs, as a JSON object (names and labels escaped by the serializer).</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("xLabel", XLabel);
        json.WriteString("yLabel", YLabel);
        json.WriteNumber("xMin", Round(XMin));
        json.WriteNumber("xMax", Round(XMax));
        Optional(json, "yMin", YMin);
        Optional(json, "yMax", YMax);
        Optional(json, "marker", MarkerX);
        json.WriteStartArray("series");
        foreach (var series in Series)
        {
            json.WriteStartObject();
            json.WriteString("name", series.Name);
            json.WriteString("color", series.Color);
            json.WriteStartArray("points");
            foreach (var (x, y) in Downsample(series.Points, MaxPoints))
            {
                json.WriteStartArray();
                json.WriteNumberValue(Round(x));
                json.WriteNumberValue(Round(y));
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// At most <paramref name="max"/> points: the X range cut into equal intervals, each point the mean of the
    /// points inside (X and Y), empty intervals skipped. Shorter lines come back as they are.
    /// </summary>
    internal static IReadOnlyList<(double X, double Y)> Downsample(IReadOnlyList<(double X, double Y)> points, int max)
    {
        if (points.Count <= max || max < 2)
        {
            return points;
        }

        var first = points[0].X;
        var width = (points[^1].X - first) / max;
        if (width <= 0)
        {
            return [points[0], points[^1]];
        }

        var result = new List<(double, double)>(max + 1);
        double sumX = 0, sumY = 0;
        var count = 0;
        var bucket = 0;
        foreach (var (x, y) in points)
        {
            var b = Math.Min(max - 1, (int)((x - first) / width));
            if (b != bucket && count > 0)
            {
                result.Add((sumX / count, sumY / count));
                sumX = sumY = 0;
                count = 0;
            }

            bucket = b;
            sumX += x;
            sumY += y;
            count++;
        }

        if (count > 0)
        {
            result.Add((sumX / count, sumY / count));
        }

        return result;
    }

    private static void Optional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Round(v));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    // Four decimals are far below a pixel and keep the page small.
    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 4) : 0;

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
