namespace Berth.Cli.Import;

/// <summary>A cohort: from a Kueue Cohort object, or only named by ClusterQueues (then no parent, weight or quota).</summary>
internal sealed record ImportedCohort(string Name, string? Parent, string? Weight, IReadOnlyList<ImportedFlavorQuotas> Quotas);
