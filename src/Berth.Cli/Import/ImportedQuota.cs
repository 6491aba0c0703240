namespace Berth.Cli.Import;

/// <summary>One resource's quota in one flavor: Berth's resource name (gpu, cpu, memory) and amounts in Berth's units as text.</summary>
internal sealed record ImportedQuota(string Resource, string Nominal, string? BorrowingLimit, string? LendingLimit);
