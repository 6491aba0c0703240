using Berth.Kubernetes.Api;
using k8s.Models;

namespace Berth.Cli.Tests.Chaos;

/// <summary>
/// What the API server holds at one moment of the harness loop (read straight from the fake's store). <paramref name="Led"/>:
/// how long, up to now, some live replica has held the Lease (Berth can only be held to account while one leads).
/// </summary>
internal sealed record ChaosSnapshot(DateTimeOffset Now, IReadOnlyList<V1Pod> Pods, IReadOnlyList<V1Job> Jobs, IReadOnlyList<PodGroup> Groups, TimeSpan Led = default)
{
    /// <summary>Pods by the workload the harness made them for (label <see cref="ChaosCluster.WorkloadLabel"/>).</summary>
    public ILookup<string, V1Pod> PodsByWorkload { get; } = Pods.ToLookup(p => p.Metadata.Labels?.TryGetValue(ChaosCluster.WorkloadLabel, out var w) == true ? w : "", StringComparer.Ordinal);

    public IReadOnlyDictionary<string, V1Job> JobsByName { get; } = Jobs.ToDictionary(j => j.Metadata.Name, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, PodGroup> GroupsByName { get; } = Groups.ToDictionary(g => g.Metadata.Name, StringComparer.Ordinal);

    public static bool IsBound(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec.NodeName);

    /// <summary>Holds its GPUs: bound and not Succeeded or Failed (a terminating pod still runs).</summary>
    public static bool HoldsGpus(V1Pod pod) => IsBound(pod) && pod.Status?.Phase is not ("Succeeded" or "Failed");
}
