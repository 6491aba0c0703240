using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks.Kubeflow;

/// <summary>
/// Kubeflow Training Operator's PyTorchJob (<c>kubeflow.org/v1</c>): one pod set per replica type of
/// <c>spec.pytorchReplicaSpecs</c> (Master first, then Worker, then any other in name order) of <c>replicas</c>
/// pods; suspended by <c>spec.runPolicy.suspend</c>; pods carry <c>training.kubeflow.org/job-name</c>.
/// </summary>
public sealed class PyTorchJobFramework : Framework
{
    public override string Group => "kubeflow.org";

    public override string Version => "v1";

    public override string Kind => "PyTorchJob";

    public override string Plural => "pytorchjobs";

    public override string MemberLabel => "training.kubeflow.org/job-name";

    /// <summary>The pod label naming a member's replica type (lower case, as Berth names the pod sets).</summary>
    public const string PodSetLabel = "training.kubeflow.org/replica-type";

    public override string? PodSetOf(IDictionary<string, string>? labels) => labels?.TryGetValue(PodSetLabel, out var set) == true ? set.ToLowerInvariant() : null;

    public override IReadOnlyList<string> SuspendPath { get; } = ["spec", "runPolicy", "suspend"];

    public override string? ReadPodSets(JsonObject spec, List<FrameworkPodSet> sets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sets);
        if (spec["pytorchReplicaSpecs"] is not JsonObject replicaSpecs || replicaSpecs.Count == 0)
        {
            return "spec.pytorchReplicaSpecs is missing or empty; give at least a Master (replicas, template)";
        }

        var order = replicaSpecs.Select(p => p.Key).OrderBy(k => k switch { "Master" => 0, "Worker" => 1, _ => 2 }).ThenBy(k => k, StringComparer.Ordinal);
        foreach (var type in order)
        {
            var field = $"spec.pytorchReplicaSpecs.{type}";
            var replicas = JsonFields.Int(JsonFields.At(replicaSpecs, type, "replicas"), field + ".replicas", 1, out var error);
            if (error is not null)
            {
                return error;
            }

            if (replicas < 1)
            {
                continue; // a replica type scaled to zero runs no pods
            }

            sets.Add(TemplateSet(spec, type.ToLowerInvariant(), replicas!.Value, field + ".template", ["spec", "pytorchReplicaSpecs", type, "template"]));
        }

        return sets.Count == 0 ? "spec.pytorchReplicaSpecs has no replica type with replicas of 1 or more; give the Master at least 1 replica" : null;
    }
}
