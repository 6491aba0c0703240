using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>A list of <see cref="Flavor"/> objects, as the API server returns it (<c>GET .../flavors</c>).</summary>
[KubernetesEntity(Group = Flavor.KubeGroup, Kind = KubeKind, ApiVersion = Flavor.KubeApiVersion, PluralName = Flavor.KubePluralName)]
public sealed record FlavorList : IKubernetesObject<V1ListMeta>, IItems<Flavor>
{
    public const string KubeKind = "FlavorList";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<Flavor> Items { get; set; } = [];
}
