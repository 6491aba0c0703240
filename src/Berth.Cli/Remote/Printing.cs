using System.Globalization;
using System.Text.Json;
using Berth.Server.Api;
using YamlDotNet.Serialization;

namespace Berth.Cli.Remote;

/// <summary>What the server commands print: aligned tables like kubectl's, JSON, or YAML of the same JSON.</summary>
internal static class Printing
{
    public static void Table(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(headers, widths));
        foreach (var row in all)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    public static void Structured(TextWriter output, object value, string format)
    {
        var json = JsonSerializer.Serialize(value, ApiJson.Responses);
        if (format == "json")
        {
            using var doc = JsonDocument.Parse(json);
            output.WriteLine(JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { WriteIndented = true }));
            return;
        }

        using var parsed = JsonDocument.Parse(json);
        output.Write(new SerializerBuilder().Build().Serialize(Plain(parsed.RootElement)));
    }

    /// <summary>Seconds as 45s, 3m12s, 2h05m, 3d04h.</summary>
    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d{t.Hours:00}h"
            : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m"
            : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s"
            : $"{t.Seconds}s";
    }

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    private static object? Plain(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Select(Plain).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
