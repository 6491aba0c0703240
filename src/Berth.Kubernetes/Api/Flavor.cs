using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// A named kind of capacity (Kueue ResourceFlavor; cluster-scoped): the nodes carrying all of
/// <c>spec.nodeLabels</c>. Pods admitted in the flavor are steered to those nodes and tolerate <c>spec.tolerations</c>.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed record Flavor : IKubernetesObject<V1ObjectMeta>, ISpec<FlavorSpec>, IStatus<FlavorStatus>
{
    public const string KubeKind = "Flavor";
    public const string KubePluralName = "flavors";
    public const string KubeGroup = KubernetesNames.Group;
    public const string KubeApiVersion = KubernetesNames.Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public FlavorSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public FlavorStatus Status { get; set; } = new();
}
