namespace Berth.Simulation.Reports;

/// <summary>What a report says about how its runs were made. Holds no clock reading, so equal runs give equal files.</summary>
public sealed record ReportInfo
{
    public string Title { get; init; } = "Berth simulation report";

    /// <summary><c>inflation</c> or <c>replay</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>Inflation target (% of GPU capacity); null in replay mode.</summary>
    public double? TargetPercent { get; init; }

    public required IReadOnlyList<string> Policies { get; init; }

    public required IReadOnlyList<int> Seeds { get; init; }

    public required IReadOnlyList<ReportInput> Inputs { get; init; }

    /// <summary>The command that produced the report, shown so it can be run again; may be empty.</summary>
    public string CommandLine { get; init; } = string.Empty;

    public string Version { get; init; } = string.Empty;
}
