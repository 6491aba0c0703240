using System.Globalization;
using System.Net;
using System.Text;

namespace Berth.Simulation.Reports;

/// <summary>
/// A self-contained SVG line chart: title, axes with ticks and labels, light grid, one line per series,
/// an optional dashed marker at an X value and a legend below the plot. No script, no external resources.
/// </summary>
public sealed record SvgLineChart
{
    public required string Title { get; init; }

    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    public required IReadOnlyList<ChartSeries> Series { get; init; }

    public required double XMin { get; init; }

    public required double XMax { get; init; }

    /// <summary>Y range; null to fit the data inside [XMin, XMax] with a margin.</summary>
    public double? YMin { get; init; }

    public double? YMax { get; init; }

    /// <summary>Draws a dashed vertical line here (e.g. arrived = 100%); null for none.</summary>
    public double? MarkerX { get; init; }

    /// <summary>Unique among the charts of one page (names the clip path); letters, digits and dashes.</summary>
    public string Id { get; init; } = "chart";

    public int Width { get; init; } = 560;

    public int Height { get; init; } = 360;

    private const int Left = 58;
    private const int Right = 18;
    private const int Top = 34;
    private const int AxisBand = 46;
    private const int LegendRowHeight = 18;

    public string Render()
    {
        var (yMin, yMax) = YRange();
        var yTicks = NiceTicks(yMin, yMax, 6);
        yMin = Math.Min(yMin, yTicks[0]);
        yMax = Math.Max(yMax, yTicks[^1]);
        var xTicks = NiceTicks(XMin, XMax, 8).Where(t => t >= XMin - 1e-9 && t <= XMax + 1e-9).ToArray();

        var legend = LegendLayout();
        var legendHeight = legend.Count == 0 ? 0 : (legend.Max(l => l.Row) + 1) * LegendRowHeight + 6;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - AxisBand - legendHeight;
        double X(double x) => Left + ((x - XMin) / (XMax - XMin) * plotWidth);
        double Y(double y) => Top + plotHeight - ((y - yMin) / (yMax - yMin) * plotHeight);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Escape(Title)}\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"title\" x=\"{Left}\" y=\"20\">{Escape(Title)}</text>\n");

        svg.Append("<g class=\"grid\">\n");
        foreach (var t in yTicks)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{N(Y(t))}\" y2=\"{N(Y(t))}\"/>\n");
        }

        foreach (var t in xTicks)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(t))}\" x2=\"{N(X(t))}\" y1=\"{Top}\" y2=\"{Top + plotHeight}\"/>\n");
        }

        svg.Append("</g>\n");

        svg.Append("<g class=\"axis\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{Top + plotHeight}\" y2=\"{Top + plotHeight}\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Top + plotHeight}\"/>\n");
        foreach (var t in yTicks)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 5}\" x2=\"{Left}\" y1=\"{N(Y(t))}\" y2=\"{N(Y(t))}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 8}\" y=\"{N(Y(t) + 4)}\" text-anchor=\"end\">{TickLabel(t, yTicks)}</text>\n");
        }

        foreach (var t in xTicks)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(t))}\" x2=\"{N(X(t))}\" y1=\"{Top + plotHeight}\" y2=\"{Top + plotHeight + 5}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{N(X(t))}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\">{TickLabel(t, xTicks)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{N(Left + (plotWidth / 2.0))}\" y=\"{Top + plotHeight + 36}\" text-anchor=\"middle\">{Escape(XLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" transform=\"translate(14 {N(Top + (plotHeight / 2.0))}) rotate(-90)\" text-anchor=\"middle\">{Escape(YLabel)}</text>\n");
        svg.Append("</g>\n");

        if (MarkerX is { } marker && marker > XMin && marker < XMax)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"marker\" x1=\"{N(X(marker))}\" x2=\"{N(X(marker))}\" y1=\"{Top}\" y2=\"{Top + plotHeight}\"/>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"{ClipId()}\"><rect x=\"{Left}\" y=\"{Top - 2}\" width=\"{plotWidth}\" height=\"{plotHeight + 4}\"/></clipPath>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<g clip-path=\"url(#{ClipId()})\">\n");
        foreach (var series in Series)
        {
            var points = series.Points.Where(p => p.X >= XMin && p.X <= XMax && double.IsFinite(p.Y)).ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"series\"><title>{Escape(series.Name)}</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Escape(series.Color)}\" points=\"");
            foreach (var (x, y) in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"{N(X(x))},{N(Y(y))} ");
            }

            svg.Append("\"/></g>\n");
        }

        svg.Append("</g>\n");

        var legendTop = Top + plotHeight + AxisBand;
        foreach (var (series, row, x) in legend)
        {
            var y = legendTop + (row * LegendRowHeight);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"legend\"><line x1=\"{x}\" x2=\"{x + 18}\" y1=\"{y + 8}\" y2=\"{y + 8}\" stroke=\"{Escape(series.Color)}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 23}\" y=\"{y + 12}\">{Escape(series.Name)}</text></g>\n");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Tick values at 1, 2, 2.5 or 5 times a power of ten covering [min, max] with about <paramref name="target"/> ticks.</summary>
    public static double[] NiceTicks(double min, double max, int target)
    {
        if (!(max > min))
        {
            max = min + 1;
        }

        var raw = (max - min) / Math.Max(1, target - 1);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw - 1e-12);
        var first = Math.Floor((min / step) + 1e-9) * step;
        var last = Math.Ceiling((max / step) - 1e-9) * step;
        var ticks = new List<double>();
        for (var t = first; t <= last + (step / 2); t += step)
        {
            ticks.Add(Math.Round(t / step) * step);
        }

        return [.. ticks];
    }

    private (double Min, double Max) YRange()
    {
        var ys = Series.SelectMany(s => s.Points).Where(p => p.X >= XMin && p.X <= XMax && double.IsFinite(p.Y)).Select(p => p.Y).ToArray();
        var dataMin = ys.Length > 0 ? ys.Min() : 0;
        var dataMax = ys.Length > 0 ? ys.Max() : 1;
        var pad = Math.Max((dataMax - dataMin) * 0.08, 0.5);
        return (YMin ?? dataMin - pad, YMax ?? dataMax + pad);
    }

    private List<(ChartSeries Series, int Row, int X)> LegendLayout()
    {
        var items = new List<(ChartSeries, int, int)>();
        int row = 0, x = Left;
        foreach (var series in Series)
        {
            var width = 23 + (int)Math.Ceiling(series.Name.Length * 7.2) + 18;
            if (x + width > Width - Right && x > Left)
            {
                row++;
                x = Left;
            }

            items.Add((series, row, x));
            x += width;
        }

        return items;
    }

    private string ClipId() => "clip-" + Id;

    private static string TickLabel(double value, double[] ticks)
    {
        var step = ticks.Length > 1 ? ticks[1] - ticks[0] : 1;
        var decimals = 0;
        while (decimals < 4 && Math.Abs((step * Math.Pow(10, decimals)) - Math.Round(step * Math.Pow(10, decimals))) > 1e-6)
        {
            decimals++;
        }

        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
