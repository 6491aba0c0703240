using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>
/// What every object of Berth's API group has: <c>apiVersion</c>, <c>kind</c>, <c>metadata</c>, <c>spec</c> and
/// <c>status</c>. Each kind derives from it with its own <see cref="KubernetesEntityAttribute"/>.
/// </summary>
public abstract record BerthObject<TSpec, TStatus> : IKubernetesObject<V1ObjectMeta>, ISpec<TSpec>, IStatus<TStatus>
    where TSpec : new()
    where TStatus : new()
{
    protected BerthObject(string kind) => Kind = kind;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public TSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public TStatus Status { get; set; } = new();
}

/// <summary>A list of one of Berth's kinds, as the API server returns it (<c>GET .../&lt;plural&gt;</c>).</summary>
public abstract record BerthObjectList<T> : IKubernetesObject<V1ListMeta>, IItems<T>
{
    protected BerthObjectList(string kind) => Kind = kind;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = KubernetesNames.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<T> Items { get; set; } = [];
}
