using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>Reads and writes the parts of an object's JSON the server manages: metadata and simple field paths.</summary>
internal static class JsonMeta
{
    /// <summary>The object's <c>metadata</c>, created empty when missing.</summary>
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = new JsonObject();
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? Name(JsonObject obj) => Text(obj, "metadata.name");

    public static string? Namespace(JsonObject obj) => Text(obj, "metadata.namespace");

    public static string? ResourceVersion(JsonObject obj) => Text(obj, "metadata.resourceVersion");

    public static string? Uid(JsonObject obj) => Text(obj, "metadata.uid");

    public static bool IsBeingDeleted(JsonObject obj) => Text(obj, "metadata.deletionTimestamp") is not null;

    public static bool HasFinalizers(JsonObject obj) => obj["metadata"]?["finalizers"] is JsonArray { Count: > 0 };

    /// <summary>The object's labels; empty when it has none.</summary>
    public static Dictionary<string, string> Labels(JsonObject obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject map)
        {
            foreach (var (key, value) in map)
            {
                labels[key] = Scalar(value) ?? "";
            }
        }

        return labels;
    }

    /// <summary>The scalar at a dotted path (<c>spec.nodeName</c>) as the API server prints it in selectors; null when missing.</summary>
    public static string? Text(JsonNode? node, string path)
    {
        foreach (var segment in path.Split('.'))
        {
            node = node is JsonObject obj ? obj[segment] : null;
            if (node is null)
            {
                return null;
            }
        }

        return Scalar(node);
    }

    public static string? Scalar(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        };
    }

    /// <summary>RFC 3339 with whole seconds, as <c>metav1.Time</c> serialises.</summary>
    public static string Timestamp(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Whether anything but metadata and status differs, which is what bumps <c>metadata.generation</c>.</summary>
    public static bool SpecChanged(JsonObject before, JsonObject after)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in before)
        {
            keys.Add(key);
        }

        foreach (var (key, _) in after)
        {
            keys.Add(key);
        }

        foreach (var key in keys)
        {
            if (key is "metadata" or "status" or "apiVersion" or "kind")
            {
                continue;
            }

            if (!JsonNode.DeepEquals(before[key], after[key]))
            {
                return true;
            }
        }

        return false;
    }

    public static long Generation(JsonObject obj) =>
        long.TryParse(Text(obj, "metadata.generation"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var generation)
            ? generation
            : 0;
}
