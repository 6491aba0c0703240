using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// A gang of plain pods (namespaced): the pods labelled <c>scheduling.x-k8s.io/pod-group: &lt;name&gt;</c> are
/// admitted together, at least <c>spec.minMember</c> of them, or not at all.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed record PodGroup : IKubernetesObject<V1ObjectMeta>, ISpec<PodGroupSpec>, IStatus<PodGroupStatus>
{
    public const string KubeKind = "PodGroup";
    public const string KubePluralName = "podgroups";
    public const string KubeGroup = KubernetesNames.Group;
    public const string KubeApiVersion = KubernetesNames.Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PodGroupSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public PodGroupStatus Status { get; set; } = new();
}
