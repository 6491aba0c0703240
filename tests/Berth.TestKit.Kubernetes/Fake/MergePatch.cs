using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// JSON merge patch (RFC 7386) and a small strategic merge patch.
/// <para>
/// Strategic merge patch, simplified: it is a merge patch, except that lists the Kubernetes types mark
/// <c>patchStrategy: merge</c> are merged by their key instead of replaced: <c>conditions</c> by <c>type</c>;
/// <c>containers</c>, <c>initContainers</c>, <c>ephemeralContainers</c>, <c>volumes</c>, <c>env</c> and
/// <c>imagePullSecrets</c> by <c>name</c>; <c>volumeMounts</c> by <c>mountPath</c>; <c>ownerReferences</c> by
/// <c>uid</c>; a pod's <c>resourceClaimStatuses</c> by <c>name</c>; and <c>finalizers</c> as a set. A list item <c>{"$patch": "delete", key: ...}</c> removes that item
/// and <c>$deleteFromPrimitiveList/finalizers</c> removes finalizers; other <c>$</c> directives
/// (<c>$setElementOrder</c>, <c>$retainKeys</c>) are ignored. The field name alone picks the strategy, whatever the
/// enclosing type, which is right for every type the fake serves.
/// </para>
/// </summary>
internal static class MergePatch
{
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["conditions"] = "type",
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["volumes"] = "name",
        ["env"] = "name",
        ["imagePullSecrets"] = "name",
        ["volumeMounts"] = "mountPath",
        ["ownerReferences"] = "uid",
        ["resourceClaimStatuses"] = "name",
    };

    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/>; neither is changed, the result is new.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch, bool strategic)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (strategic && key.StartsWith('$'))
            {
                if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal) && value is JsonArray removed)
                {
                    RemovePrimitives(result, key[DeleteFromPrimitiveList.Length..], removed);
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else if (strategic && key == "finalizers" && value is JsonArray added)
            {
                result[key] = Union(result[key] as JsonArray, added);
            }
            else if (strategic && value is JsonArray items && MergeKeys.TryGetValue(key, out var mergeKey))
            {
                result[key] = MergeByKey(result[key] as JsonArray, items, mergeKey);
            }
            else
            {
                result[key] = Apply(result[key], value, strategic);
            }
        }

        return result;
    }

    private static JsonArray MergeByKey(JsonArray? existing, JsonArray patch, string mergeKey)
    {
        var merged = existing is null ? [] : (JsonArray)existing.DeepClone();
        foreach (var item in patch)
        {
            var key = JsonMeta.Text(item, mergeKey);
            var index = key is null ? -1 : IndexOf(merged, mergeKey, key);
            var delete = JsonMeta.Text(item, "$patch") == "delete";
            if (delete)
            {
                if (index >= 0)
                {
                    merged.RemoveAt(index);
                }
            }
            else if (index >= 0)
            {
                merged[index] = Apply(merged[index], item, strategic: true);
            }
            else
            {
                merged.Add(Apply(new JsonObject(), item, strategic: true));
            }
        }

        return merged;
    }

    private static int IndexOf(JsonArray items, string mergeKey, string key)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (JsonMeta.Text(items[i], mergeKey) == key)
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonArray Union(JsonArray? existing, JsonArray added)
    {
        var result = existing is null ? [] : (JsonArray)existing.DeepClone();
        foreach (var item in added)
        {
            if (!result.Any(present => JsonNode.DeepEquals(present, item)))
            {
                result.Add(item?.DeepClone());
            }
        }

        return result;
    }

    private static void RemovePrimitives(JsonObject target, string field, JsonArray removed)
    {
        if (target[field] is not JsonArray list)
        {
            return;
        }

        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (removed.Any(r => JsonNode.DeepEquals(r, list[i])))
            {
                list.RemoveAt(i);
            }
        }
    }
}
