using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// A quota holder (cluster-scoped, <c>kubectl get queues</c>): its flavors in the order they are tried with
/// nominal quota, borrowing and lending limits, its cohort, fair-share weight, priority, queueing strategy,
/// stop policy, preemption policies and disruption budget. Translated to the model by <c>QueueTranslator</c>.
/// </summary>
[KubernetesEntity(Group = KubeGroup, Kind = KubeKind, ApiVersion = KubeApiVersion, PluralName = KubePluralName)]
public sealed record Queue : IKubernetesObject<V1ObjectMeta>, ISpec<QueueSpec>, IStatus<QueueStatus>
{
    public const string KubeKind = "Queue";
    public const string KubePluralName = "queues";
    public const string KubeGroup = KubernetesNames.Group;
    public const string KubeApiVersion = KubernetesNames.Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KubeKind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public QueueSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public QueueStatus Status { get; set; } = new();
}
