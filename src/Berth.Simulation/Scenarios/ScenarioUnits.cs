using System.Globalization;
using Berth.Model;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Parses and prints the quantities of a scenario file. Durations: plain seconds or number+unit parts
/// (<c>90s</c>, <c>10m</c>, <c>1.5h</c>, <c>1d</c>, <c>1h30m</c>) giving whole seconds. Memory: whole MiB or
/// <c>Mi</c>/<c>Gi</c>/<c>Ti</c> giving whole MiB. CPU: cores (<c>8</c>, <c>0.5</c>) or <c>500m</c>, giving
/// whole milli-cores. Decimals are exact (<see cref="decimal"/>), so <c>0.1</c> cores is 100 milli-cores.
/// </summary>
public static class ScenarioUnits
{
    /// <summary>A duration as scenario files and annotations write it; see <see cref="DurationText"/>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value) => DurationText.TryParse(text, out value);

    public static bool TryParseMemory(string text, out long mib)
    {
        var span = text.AsSpan().Trim();
        long factor = 1;
        if (span.EndsWith("Mi", StringComparison.Ordinal))
        {
            span = span[..^2];
        }
        else if (span.EndsWith("Gi", StringComparison.Ordinal))
        {
            span = span[..^2];
            factor = 1024;
        }
        else if (span.EndsWith("Ti", StringComparison.Ordinal))
        {
            span = span[..^2];
            factor = 1024 * 1024;
        }

        return TryScaled(span, factor, out mib);
    }

    public static bool TryParseCpu(string text, out long milli)
    {
        var span = text.AsSpan().Trim();
        return span.EndsWith("m", StringComparison.Ordinal)
            ? TryScaled(span[..^1], 1, out milli)
            : TryScaled(span, 1000, out milli);
    }

    /// <summary>A decimal number times <paramref name="factor"/>, which must come out whole (may be negative).</summary>
    public static bool TryParseDecimal(string text, long factor, out long value) => TryScaled(text.AsSpan().Trim(), factor, out value, allowNegative: true);

    /// <summary>A duration as the shortest exact text with one unit: 90s, 10m, 2h, 1d, or seconds.</summary>
    public static string Format(TimeSpan value)
    {
        var seconds = (long)value.TotalSeconds;
        if (seconds != 0 && seconds % 86400 == 0)
        {
            return (seconds / 86400).ToString(CultureInfo.InvariantCulture) + "d";
        }

        if (seconds != 0 && seconds % 3600 == 0)
        {
            return (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (seconds != 0 && seconds % 60 == 0)
        {
            return (seconds / 60).ToString(CultureInfo.InvariantCulture) + "m";
        }

        return seconds.ToString(CultureInfo.InvariantCulture) + "s";
    }

    private static bool TryScaled(ReadOnlySpan<char> span, long factor, out long value, bool allowNegative = false)
    {
        value = 0;
        if (!TryDecimal(span, out var number) || (!allowNegative && number < 0))
        {
            return false;
        }

        try
        {
            var scaled = number * factor;
            if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue)
            {
                return false;
            }

            value = (long)scaled;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static bool TryDecimal(ReadOnlySpan<char> span, out decimal value) =>
        decimal.TryParse(span, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
