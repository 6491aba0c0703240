using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Simulation.Metrics;

namespace Berth.Simulation.Reports;

/// <summary><c>runs.json</c>: the report info and every run with its full curve, camelCase, indented.</summary>
public static class RunsJson
{
    public const string FileName = "runs.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(Stream stream, ReportInfo info, IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, new { info, runs }, Options);
    }
}
