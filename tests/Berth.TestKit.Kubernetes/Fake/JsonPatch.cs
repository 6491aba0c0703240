using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// JSON Patch (RFC 6902): add, remove, replace, move, copy and test, with JSON Pointer paths (RFC 6901,
/// <c>~0</c>/<c>~1</c> escapes, <c>-</c> for "after the last element").
/// </summary>
internal static class JsonPatch
{
    /// <summary>Applies the operations to a copy of <paramref name="document"/>; returns the copy, or an error message.</summary>
    public static (JsonNode? Result, string? Error) Apply(JsonNode document, JsonArray operations)
    {
        var root = new JsonObject { ["root"] = document.DeepClone() };
        foreach (var operation in operations)
        {
            var op = JsonMeta.Text(operation, "op");
            var path = JsonMeta.Text(operation, "path");
            if (op is null || path is null)
            {
                return (null, "each JSON patch operation needs 'op' and 'path'");
            }

            var error = op switch
            {
                "add" => Add(root, path, Value(operation)),
                "remove" => Remove(root, path, out _),
                "replace" => Remove(root, path, out _) ?? Add(root, path, Value(operation)),
                "move" => Move(root, JsonMeta.Text(operation, "from"), path),
                "copy" => Copy(root, JsonMeta.Text(operation, "from"), path),
                "test" => Test(root, path, Value(operation)),
                _ => $"unexpected JSON patch operation '{op}'",
            };
            if (error is not null)
            {
                return (null, error);
            }
        }

        var result = root["root"];
        root.Remove("root");
        return (result, null);
    }

    private static JsonNode? Value(JsonNode? operation) => operation?["value"]?.DeepClone();

    private static string? Add(JsonObject root, string path, JsonNode? value)
    {
        if (!TryParent(root, path, out var parent, out var token))
        {
            return $"add operation does not apply: doc is missing path: \"{path}\"";
        }

        switch (parent)
        {
            case JsonObject obj:
                obj[token] = value;
                return null;
            case JsonArray array when token == "-":
                array.Add(value);
                return null;
            case JsonArray array when TryIndex(token, array.Count + 1, out var index):
                array.Insert(index, value);
                return null;
            default:
                return $"add operation does not apply: doc is missing path: \"{path}\"";
        }
    }

    private static string? Remove(JsonObject root, string path, out JsonNode? removed)
    {
        removed = null;
        if (!TryParent(root, path, out var parent, out var token))
        {
            return $"remove operation does not apply: doc is missing path: \"{path}\"";
        }

        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(token):
                removed = obj[token];
                obj.Remove(token);
                return null;
            case JsonArray array when TryIndex(token, array.Count, out var index):
                removed = array[index];
                array.RemoveAt(index);
                return null;
            default:
                return $"remove operation does not apply: doc is missing path: \"{path}\"";
        }
    }

    private static string? Move(JsonObject root, string? from, string path)
    {
        if (from is null)
        {
            return "move operation needs 'from'";
        }

        return Remove(root, from, out var value) ?? Add(root, path, value);
    }

    private static string? Copy(JsonObject root, string? from, string path)
    {
        if (from is null || !TryGet(root, from, out var value))
        {
            return $"copy operation does not apply: doc is missing from path: \"{from}\"";
        }

        return Add(root, path, value?.DeepClone());
    }

    private static string? Test(JsonObject root, string path, JsonNode? expected)
    {
        if (!TryGet(root, path, out var actual))
        {
            return $"testing value {path} failed: doc is missing path";
        }

        return JsonNode.DeepEquals(actual, expected) ? null : $"testing value {path} failed: test failed";
    }

    private static bool TryGet(JsonObject root, string path, out JsonNode? value)
    {
        value = null;
        if (!TryParent(root, path, out var parent, out var token))
        {
            return false;
        }

        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(token, out value):
                return true;
            case JsonArray array when TryIndex(token, array.Count, out var index):
                value = array[index];
                return true;
            default:
                return false;
        }
    }

    /// <summary>Walks to the container of the pointer's last token. The whole document sits under <c>root</c>.</summary>
    private static bool TryParent(JsonObject root, string path, out JsonNode? parent, out string token)
    {
        parent = root;
        token = "root";
        if (path.Length == 0)
        {
            return true;
        }

        if (path[0] != '/')
        {
            return false;
        }

        var tokens = path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal)
            .Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode? current = root["root"];
        for (var i = 0; i < tokens.Length - 1; i++)
        {
            current = current switch
            {
                JsonObject obj => obj[tokens[i]],
                JsonArray array when TryIndex(tokens[i], array.Count, out var index) => array[index],
                _ => null,
            };
            if (current is null)
            {
                return false;
            }
        }

        parent = current;
        token = tokens[^1];
        return current is JsonObject or JsonArray;
    }

    private static bool TryIndex(string token, int count, out int index) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index < count;
}
