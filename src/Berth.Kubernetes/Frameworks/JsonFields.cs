using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks;

/// <summary>Reading and writing nested fields of a framework object's JSON by path, without throwing on odd shapes.</summary>
public static class JsonFields
{
    /// <summary>The node at <paramref name="path"/> (object keys, or array indices as numbers); null when any step is missing.</summary>
    public static JsonNode? At(JsonNode? node, params object[] path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var step in path)
        {
            node = (node, step) switch
            {
                (JsonObject o, string key) => o[key],
                (JsonArray a, int index) when index >= 0 && index < a.Count => a[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>
    /// An integer field: <paramref name="fallback"/> when absent; null (with <paramref name="error"/> naming
    /// <paramref name="field"/>) when present but not a whole number.
    /// </summary>
    public static int? Int(JsonNode? node, string field, int fallback, out string? error)
    {
        error = null;
        if (node is null)
        {
            return fallback;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number))
        {
            return number;
        }

        error = $"{field} is '{node.ToJsonString()}', which is not a whole number; write an integer such as 1";
        return null;
    }

    /// <summary>A string field, or null when absent or not a string.</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>Sets <paramref name="value"/> at <paramref name="path"/> under <paramref name="root"/>, creating objects on the way; false when a step is an array index that does not exist or a non-object.</summary>
    public static bool Set(JsonObject root, IReadOnlyList<object> path, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        JsonNode current = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            var next = At(current, path[i]);
            if (next is null && current is JsonObject o && path[i] is string key)
            {
                next = new JsonObject();
                o[key] = next;
            }

            if (next is null)
            {
                return false;
            }

            current = next;
        }

        if (current is JsonObject target && path[^1] is string last)
        {
            target[last] = value;
            return true;
        }

        return false;
    }
}
