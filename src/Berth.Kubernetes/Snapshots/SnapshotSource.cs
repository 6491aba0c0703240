namespace Berth.Kubernetes.Snapshots;

/// <summary>Where and how a snapshot was taken: the API server, the kubeconfig context, the berth version, and what could not be read.</summary>
public sealed record SnapshotSource
{
    public string? Server { get; init; }

    public string? Context { get; init; }

    public string? BerthVersion { get; init; }

    /// <summary>What the capture could not read (Berth's custom resources not installed, ...), for the user to see.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
