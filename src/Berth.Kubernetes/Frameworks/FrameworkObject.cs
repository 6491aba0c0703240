using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Frameworks;

/// <summary>
/// An object of a job framework (JobSet, TrainJob, PyTorchJob, RayJob, RayCluster, LeaderWorkerSet) as the API
/// server sends it: typed metadata, and the rest (spec, status) kept as JSON. Berth reads only the fields its
/// <see cref="Framework"/> names, so a framework's other fields, and new ones, pass through untouched.
/// </summary>
public sealed class FrameworkObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>Every other top-level field (<c>spec</c>, <c>status</c>), as sent.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Fields { get; set; }

    /// <summary>A top-level section (<c>spec</c>, <c>status</c>) as a fresh JSON object; null when absent or not an object.</summary>
    public JsonObject? Section(string name) =>
        Fields is not null && Fields.TryGetValue(name, out var element) && element.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(element.GetRawText()) as JsonObject
            : null;
}
