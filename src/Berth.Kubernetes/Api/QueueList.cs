using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>A list of <see cref="Queue"/> objects, as the API server returns it (<c>GET .../queues</c>).</summary>
[KubernetesEntity(Group = Queue.KubeGroup, Kind = KubeKind, ApiVersion = Queue.KubeApiVersion, PluralName = Queue.KubePluralName)]
public sealed record QueueList : IKubernetesObject<V1ListMeta>, IItems<Queue>
{
    public const string KubeKind = "QueueList";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<Queue> Items { get; set; } = [];
}
