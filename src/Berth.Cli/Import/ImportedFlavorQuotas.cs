namespace Berth.Cli.Import;

/// <summary>The quotas a queue or cohort holds in one flavor.</summary>
internal sealed record ImportedFlavorQuotas(string Flavor, IReadOnlyList<ImportedQuota> Resources);
