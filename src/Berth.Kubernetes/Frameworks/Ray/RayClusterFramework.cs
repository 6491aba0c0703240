using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks.Ray;

/// <summary>
/// KubeRay's RayCluster (<c>ray.io/v1</c>): the head and each worker group as pod sets; suspended by
/// <c>spec.suspend</c> (KubeRay 1.1 and later); pods carry <c>ray.io/cluster</c>. A RayCluster a RayJob made
/// is read with its RayJob, not alone.
/// </summary>
public sealed class RayClusterFramework : Framework
{
    public override string Group => "ray.io";

    public override string Version => "v1";

    public override string Kind => "RayCluster";

    public override string Plural => "rayclusters";

    public override string MemberLabel => "ray.io/cluster";

    /// <summary>The pod label naming a member's pod set.</summary>
    public const string PodSetLabel = "ray.io/group";

    public override string? PodSetOf(IDictionary<string, string>? labels) => labels?.TryGetValue(PodSetLabel, out var set) == true ? set : null;

    public override IReadOnlyList<string> SuspendPath { get; } = ["spec", "suspend"];

    public override string? ReadPodSets(JsonObject spec, List<FrameworkPodSet> sets) => RayClusterPodSets.Read(spec, "spec", ["spec"], sets);

    /// <summary>A RayCluster runs until deleted: never finished.</summary>
    public override bool Finished(FrameworkObject obj) => false;
}
