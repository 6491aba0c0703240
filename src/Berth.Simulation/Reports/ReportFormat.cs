using System.Globalization;

namespace Berth.Simulation.Reports;

/// <summary>Number formatting shared by the report files: invariant culture, fixed decimals, empty for NaN.</summary>
internal static class ReportFormat
{
    /// <summary>A percentage with two decimals (95.23); empty when the figure is missing (NaN).</summary>
    public static string Percent(double value) => Fixed(value, 2);

    public static string Fixed(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : string.Empty;

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).</summary>
    public static string CsvField(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
