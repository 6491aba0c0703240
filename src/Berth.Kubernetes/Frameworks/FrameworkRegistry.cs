using Berth.Kubernetes.Frameworks.JobSet;
using Berth.Kubernetes.Frameworks.Kubeflow;
using Berth.Kubernetes.Frameworks.LeaderWorkerSet;
using Berth.Kubernetes.Frameworks.Ray;

namespace Berth.Kubernetes.Frameworks;

/// <summary>The job frameworks Berth admits as gangs: one line each (docs/KUBERNETES.md says how to add one).</summary>
public static class FrameworkRegistry
{
    public static IReadOnlyList<Framework> All { get; } =
    [
        new JobSetFramework(),
        new TrainJobFramework(),
        new PyTorchJobFramework(),
        new RayJobFramework(),
        new RayClusterFramework(),
        new LeaderWorkerSetFramework(),
    ];

    /// <summary>The framework of a kind (by group and kind, whatever the version); null when Berth knows none.</summary>
    public static Framework? Find(string? apiVersion, string? kind)
    {
        var group = apiVersion is null ? null : apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty;
        return All.FirstOrDefault(f => f.Group == group && f.Kind == kind);
    }
}
