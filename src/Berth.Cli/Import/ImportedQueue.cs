namespace Berth.Cli.Import;

/// <summary>A Kueue ClusterQueue as a Berth queue; null fields were not set (Berth's default applies).</summary>
internal sealed record ImportedQueue
{
    public required string Name { get; init; }

    public string? Cohort { get; init; }

    public string? Weight { get; init; }

    public string? Strategy { get; init; }

    public string? StopPolicy { get; init; }

    public string? WithinQueue { get; init; }

    public string? Reclaim { get; init; }

    public bool? BorrowBeforeNextFlavor { get; init; }

    public bool? PreemptBeforeNextFlavor { get; init; }

    public IReadOnlyList<string> AdmissionChecks { get; init; } = [];

    public required IReadOnlyList<ImportedFlavorQuotas> Flavors { get; init; }
}
