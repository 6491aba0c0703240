namespace Berth.Server.Api;

/// <summary>A queue: its cohort, quota and use per flavor, and how many jobs wait, are held and run.</summary>
public sealed record QueueView(string Name, string? Cohort, double Weight, IReadOnlyList<QuotaView> Quota, int Pending, int Held, int Running);
