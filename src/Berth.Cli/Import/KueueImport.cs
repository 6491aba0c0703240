namespace Berth.Cli.Import;

/// <summary>
/// What <c>berth import kueue</c> made of a set of manifests: the Berth objects, and one note per Kueue field
/// (or object) that has no equivalent, naming file, line, object and field.
/// </summary>
internal sealed class KueueImport
{
    public List<ImportedFlavor> Flavors { get; } = [];

    public List<ImportedCohort> Cohorts { get; } = [];

    public List<ImportedPriorityClass> PriorityClasses { get; } = [];

    public List<ImportedQueue> Queues { get; } = [];

    /// <summary>LocalQueues: "namespace/name -> queue", for the comment that says which queue a workload's label names.</summary>
    public List<string> LocalQueues { get; } = [];

    /// <summary>Fields and objects with no equivalent, each "FILE:LINE: Kind name: field: why, what was done".</summary>
    public List<string> Notes { get; } = [];

    public IEnumerable<string> AdmissionChecks => Queues.SelectMany(q => q.AdmissionChecks).Distinct(StringComparer.Ordinal);
}
