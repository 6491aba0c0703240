namespace Berth.Server.Api;

/// <summary>A cohort: its parent, the queues in it, and per flavor and resource the nominal quota of those queues and what they use.</summary>
public sealed record CohortView(string Name, string? Parent, IReadOnlyList<string> Queues, IReadOnlyList<QuotaView> Quota);
