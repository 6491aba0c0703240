using System.Globalization;

namespace Berth.Model;

/// <summary>
/// Durations as people write them in scenario files and annotations: plain seconds or number+unit parts
/// (<c>90s</c>, <c>10m</c>, <c>1.5h</c>, <c>1d</c>, <c>1h30m</c>), giving whole seconds, at most 100 years.
/// </summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = TimeSpan.Zero;
        var span = text.AsSpan().Trim();
        if (span.Length == 0)
        {
            return false;
        }

        if (TryDecimal(span, out var plain))
        {
            return ToWholeSeconds(plain, out value);
        }

        decimal total = 0;
        var i = 0;
        while (i < span.Length)
        {
            var start = i;
            while (i < span.Length && (char.IsAsciiDigit(span[i]) || span[i] == '.'))
            {
                i++;
            }

            if (i == start || i == span.Length || !TryDecimal(span[start..i], out var number))
            {
                return false;
            }

            decimal unit = span[i] switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                _ => 0,
            };
            if (unit == 0)
            {
                return false;
            }

            i++;
            try
            {
                total += number * unit;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        return ToWholeSeconds(total, out value);
    }

    private static bool TryDecimal(ReadOnlySpan<char> span, out decimal value) =>
        decimal.TryParse(span, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool ToWholeSeconds(decimal seconds, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (seconds < 0 || seconds != decimal.Truncate(seconds) || seconds > 100L * 365 * 86400)
        {
            return false;
        }

        value = TimeSpan.FromSeconds((long)seconds);
        return true;
    }
}
