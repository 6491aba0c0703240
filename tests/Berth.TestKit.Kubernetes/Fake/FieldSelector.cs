using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// A field selector (<c>spec.nodeName=n1,status.phase!=Failed</c>) over the fields the real server supports for each
/// resource; any other field is a 400 "field label not supported", as there. A missing field reads as empty, so
/// <c>spec.nodeName=</c> selects unscheduled pods.
/// </summary>
internal sealed class FieldSelector
{
    private static readonly string[] CommonFields = ["metadata.name", "metadata.namespace"];

    private static readonly string[] PodFields =
    [
        "spec.nodeName", "spec.schedulerName", "spec.restartPolicy", "spec.serviceAccountName", "spec.hostNetwork",
        "status.phase", "status.podIP", "status.nominatedNodeName",
    ];

    private static readonly string[] EventFields =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "type",
    ];

    private static readonly string[] BooleanFields = ["spec.unschedulable", "spec.hostNetwork"];

    private readonly IReadOnlyList<(string Field, bool Equal, string Value)> requirements;

    private FieldSelector(IReadOnlyList<(string Field, bool Equal, string Value)> requirements) =>
        this.requirements = requirements;

    public static FieldSelector Everything { get; } = new([]);

    public bool IsEverything => requirements.Count == 0;

    public static bool TryParse(string? text, ResourceDefinition resource, out FieldSelector selector, out string error)
    {
        selector = Everything;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var parsed = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            var (field, equal, value) = Split(part);
            if (field is null)
            {
                error = $"invalid selector: '{text}'; can't understand '{part}'";
                return false;
            }

            if (!Supported(resource, field))
            {
                error = $"field label not supported: {field}";
                return false;
            }

            parsed.Add((field, equal, value));
        }

        selector = new FieldSelector(parsed);
        return true;
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, equal, value) in requirements)
        {
            var actual = JsonMeta.Text(obj, field) ?? (BooleanFields.Contains(field) ? "false" : "");
            if (string.Equals(actual, value, StringComparison.Ordinal) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static (string? Field, bool Equal, string Value) Split(string part)
    {
        var notEqual = part.IndexOf("!=", StringComparison.Ordinal);
        if (notEqual > 0)
        {
            return (part[..notEqual].Trim(), false, part[(notEqual + 2)..].Trim());
        }

        var doubleEqual = part.IndexOf("==", StringComparison.Ordinal);
        if (doubleEqual > 0)
        {
            return (part[..doubleEqual].Trim(), true, part[(doubleEqual + 2)..].Trim());
        }

        var equal = part.IndexOf('=', StringComparison.Ordinal);
        return equal > 0 ? (part[..equal].Trim(), true, part[(equal + 1)..].Trim()) : (null, true, "");
    }

    private static bool Supported(ResourceDefinition resource, string field)
    {
        if (CommonFields.Contains(field))
        {
            return true;
        }

        return resource switch
        {
            _ when resource.Is("", "pods") => PodFields.Contains(field),
            _ when resource.Is("", "events") => EventFields.Contains(field),
            _ when resource.Is("", "nodes") => field == "spec.unschedulable",
            _ when resource.Is("", "namespaces") => field == "status.phase",
            _ when resource.Is("batch", "jobs") => field == "status.successful",
            _ when resource.Is("resource.k8s.io", "resourceslices") => field is "spec.nodeName" or "spec.driver",
            _ => false,
        };
    }
}
