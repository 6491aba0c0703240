using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>A list of <see cref="Cohort"/> objects, as the API server returns it (<c>GET .../cohorts</c>).</summary>
[KubernetesEntity(Group = Cohort.KubeGroup, Kind = KubeKind, ApiVersion = Cohort.KubeApiVersion, PluralName = Cohort.KubePluralName)]
public sealed record CohortList : IKubernetesObject<V1ListMeta>, IItems<Cohort>
{
    public const string KubeKind = "CohortList";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<Cohort> Items { get; set; } = [];
}
