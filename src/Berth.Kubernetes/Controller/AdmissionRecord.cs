using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// What Berth decided when it admitted a workload, written on the owner (the Job or the PodGroup) as the
/// annotation <see cref="AnnotationName"/> before anything else happens: the flavor, the time and where every
/// pod goes. The cluster is the only store: after a restart the record and the bound pods are the truth,
/// and pods not yet bound go where the record says, so a new leader binds nothing twice and nowhere else.
/// </summary>
public sealed record AdmissionRecord
{
    public const string AnnotationName = "berth.dev/admission";

    [JsonPropertyName("flavor")]
    public required string Flavor { get; init; }

    [JsonPropertyName("admittedAt")]
    public required DateTimeOffset AdmittedAt { get; init; }

    [JsonPropertyName("pods")]
    public IReadOnlyList<PlannedPod> Pods { get; init; } = [];

    /// <summary>Berth's HMAC over the object's uid and the rest of the record (see <see cref="AdmissionRecordSeal"/>); a record without a valid one is not trusted.</summary>
    [JsonPropertyName("seal")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Seal { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>
    /// Parses the annotation; null when absent or malformed. This checks the form only: whether Berth wrote it is
    /// <see cref="AdmissionRecordSeal.Open"/>'s question, and the controller asks it.
    /// </summary>
    public static AdmissionRecord? Parse(IDictionary<string, string>? annotations)
    {
        if (annotations is null || !annotations.TryGetValue(AnnotationName, out var json) || string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize<AdmissionRecord>(json);
            return record is { Flavor.Length: > 0 } ? record : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Flavor} at {AdmittedAt:O}, {Pods.Count} pods");
}

/// <summary>One planned pod: its pod set, its node and its GPUs (indices) with the milli-GPU it takes on each.</summary>
public sealed record PlannedPod(
    [property: JsonPropertyName("set")] int PodSet,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("gpus")] IReadOnlyList<int> Gpus,
    [property: JsonPropertyName("milli")] int Milli);
