using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// Queues (and child cohorts) that lend to and borrow from each other (cluster-scoped). Cohorts form a
/// tree through <c>spec.parent</c>; a cohort may hold quota of its own, which its members may borrow.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed record Cohort : IKubernetesObject<V1ObjectMeta>, ISpec<CohortSpec>, IStatus<CohortStatus>
{
    public const string KubeKind = "Cohort";
    public const string KubePluralName = "cohorts";
    public const string KubeGroup = KubernetesNames.Group;
    public const string KubeApiVersion = KubernetesNames.Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public CohortSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public CohortStatus Status { get; set; } = new();
}
