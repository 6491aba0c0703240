using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Berth.Web;

/// <summary>
/// The period of <c>GET /api/v1/usage?from=...&amp;to=...</c>, read one way on the server and the operator: dates or times
/// in UTC, <c>to</c> defaulting to now and <c>from</c> to 7 days before <c>to</c>, at most <see cref="MaxPeriod"/> long.
/// </summary>
public static class UsagePeriod
{
    /// <summary>The longest period one report covers.</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(400);

    /// <summary>Null with the period, or the problem (400, naming the parameter and the fix) to answer.</summary>
    public static IResult? Read(string? from, string? to, DateTimeOffset now, out DateTimeOffset start, out DateTimeOffset end)
    {
        start = default;
        if (!Parse(to, now, out end))
        {
            return Problems.BadRequest("to", $"to '{to}' is not a date or time; give one such as 2026-12-07 or 2026-12-07T12:00:00Z (default: now)");
        }

        if (!Parse(from, end - TimeSpan.FromDays(7), out start))
        {
            return Problems.BadRequest("from", $"from '{from}' is not a date or time; give one such as 2026-12-01 (default: 7 days before to)");
        }

        if (start >= end || end - start > MaxPeriod)
        {
            return Problems.BadRequest("from", string.Create(CultureInfo.InvariantCulture, $"the period {start:O} to {end:O} is empty or longer than {MaxPeriod.TotalDays:0} days; give a from before to, at most {MaxPeriod.TotalDays:0} days apart"));
        }

        return null;
    }

    private static bool Parse(string? text, DateTimeOffset fallback, out DateTimeOffset value)
    {
        value = fallback;
        return text is null || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
