using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks.Ray;

/// <summary>
/// The pod sets of a Ray cluster spec (a RayCluster's <c>spec</c>, a RayJob's <c>spec.rayClusterSpec</c>): the head
/// (<c>headgroup</c>: one pod of <c>headGroupSpec.template</c>), then each worker group (<c>replicas</c> × <c>numOfHosts</c> pods of its
/// <c>template</c>, named by its <c>groupName</c>).
/// </summary>
internal static class RayClusterPodSets
{
    /// <summary>The head's pod set, named as KubeRay labels the head pod (<c>ray.io/group</c>).</summary>
    public const string HeadGroup = "headgroup";

    public static string? Read(JsonObject? cluster, string field, IReadOnlyList<object> path, List<FrameworkPodSet> sets)
    {
        if (cluster is null)
        {
            return $"{field} is missing; give the Ray cluster's headGroupSpec (and workerGroupSpecs)";
        }

        if (JsonFields.At(cluster, "headGroupSpec", "template") is not JsonObject head)
        {
            return $"{field}.headGroupSpec.template is missing; give the head pod's template";
        }

        sets.Add(new FrameworkPodSet(HeadGroup, 1, field + ".headGroupSpec.template", head, [.. path, "headGroupSpec", "template"]));
        if (cluster["workerGroupSpecs"] is not JsonArray groups)
        {
            return null;
        }

        for (var i = 0; i < groups.Count; i++)
        {
            var at = $"{field}.workerGroupSpecs[{i}]";
            var group = groups[i] as JsonObject;
            var name = JsonFields.Text(group?["groupName"]);
            if (string.IsNullOrEmpty(name))
            {
                return $"{at}.groupName is missing; name each worker group";
            }

            var replicas = JsonFields.Int(group!["replicas"], at + ".replicas", 1, out var error);
            var hosts = JsonFields.Int(group["numOfHosts"], at + ".numOfHosts", 1, out var error2);
            if ((error ?? error2) is { } bad)
            {
                return bad;
            }

            if (replicas < 0 || hosts < 1)
            {
                return $"{at} has replicas {replicas} and numOfHosts {hosts}; write replicas of 0 or more and numOfHosts of 1 or more";
            }

            if (group["suspend"] is JsonValue suspended && suspended.TryGetValue<bool>(out var s) && s)
            {
                continue; // a suspended worker group runs no pods
            }

            if (replicas * hosts > 0)
            {
                sets.Add(new FrameworkPodSet(name, replicas!.Value * hosts!.Value, at + ".template", group["template"] as JsonObject, [.. path, "workerGroupSpecs", i, "template"]));
            }
        }

        return null;
    }
}
