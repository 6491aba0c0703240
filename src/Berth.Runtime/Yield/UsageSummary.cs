namespace Berth.Runtime.Yield;

/// <summary>
/// Showback over a period (the server's <c>GET /api/v1/usage?from=...&amp;to=...</c>, rendered by <c>berth report usage</c>): GPU-hours allocated and used per queue,
/// user and GPU model, priced from the configuration's price table, and per queue per UTC day for charts.
/// </summary>
public sealed record UsageSummary
{
    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    /// <summary>The price table's currency; null without a price table (no costs).</summary>
    public string? Currency { get; init; }

    public IReadOnlyList<UsageRow> Rows { get; init; } = [];

    public IReadOnlyList<UsageDay> Days { get; init; } = [];
}
