using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>A list of <see cref="PodGroup"/> objects, as the API server returns it (<c>GET .../podgroups</c>).</summary>
[KubernetesEntity(Group = PodGroup.KubeGroup, Kind = KubeKind, ApiVersion = PodGroup.KubeApiVersion, PluralName = PodGroup.KubePluralName)]
public sealed record PodGroupList : IKubernetesObject<V1ListMeta>, IItems<PodGroup>
{
    public const string KubeKind = "PodGroupList";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<PodGroup> Items { get; set; } = [];
}
