namespace Berth.Cli.Import;

/// <summary>A Kueue ResourceFlavor as Berth keeps it: node labels, node taints and the tolerations pods admitted in it get.</summary>
internal sealed record ImportedFlavor(
    string Name,
    IReadOnlyList<KeyValuePair<string, string>> NodeLabels,
    IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> NodeTaints,
    IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Tolerations);
