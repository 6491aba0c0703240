using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks.Ray;

/// <summary>
/// KubeRay's RayJob (<c>ray.io/v1</c>): the pod sets of <c>spec.rayClusterSpec</c>; suspended by <c>spec.suspend</c>;
/// its pods are those of the cluster it made (<c>ray.io/cluster</c> = <c>status.rayClusterName</c>). A RayJob that
/// runs on an existing cluster (<c>spec.clusterSelector</c>) brings no pods of its own to admit.
/// </summary>
public sealed class RayJobFramework : Framework
{
    public override string Group => "ray.io";

    public override string Version => "v1";

    public override string Kind => "RayJob";

    public override string Plural => "rayjobs";

    public override string MemberLabel => "ray.io/cluster";

    /// <summary>The pod label naming a member's pod set.</summary>
    public const string PodSetLabel = "ray.io/group";

    public override string? PodSetOf(IDictionary<string, string>? labels) => labels?.TryGetValue(PodSetLabel, out var set) == true ? set : null;

    public override IReadOnlyList<string> SuspendPath { get; } = ["spec", "suspend"];

    public override string MemberName(FrameworkObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return JsonFields.Text(JsonFields.At(obj.Section("status"), "rayClusterName")) is { Length: > 0 } cluster ? cluster : obj.Metadata.Name ?? string.Empty;
    }

    public override string? ReadPodSets(JsonObject spec, List<FrameworkPodSet> sets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec["clusterSelector"] is JsonObject { Count: > 0 })
        {
            return "spec.clusterSelector names an existing RayCluster, whose pods are admitted with that cluster; queue the RayCluster instead, or give spec.rayClusterSpec and drop spec.clusterSelector";
        }

        return RayClusterPodSets.Read(spec["rayClusterSpec"] as JsonObject, "spec.rayClusterSpec", ["spec", "rayClusterSpec"], sets);
    }

    /// <summary>Finished when its deployment status says so (<c>Complete</c> or <c>Failed</c>).</summary>
    public override bool Finished(FrameworkObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return JsonFields.Text(JsonFields.At(obj.Section("status"), "jobDeploymentStatus")) is "Complete" or "Failed";
    }
}
