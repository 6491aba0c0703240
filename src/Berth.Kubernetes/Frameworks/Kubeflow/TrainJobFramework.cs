using System.Text.Json.Nodes;
using k8s.Models;

namespace Berth.Kubernetes.Frameworks.Kubeflow;

/// <summary>
/// Kubeflow Trainer's TrainJob (<c>trainer.kubeflow.org/v1alpha1</c>): its pod templates live in the training runtime
/// it names, so Berth reads one pod set <c>node</c> of <c>spec.trainer.numNodes</c> pods (default 1), each asking
/// <c>spec.trainer.resourcesPerNode</c>; suspended by <c>spec.suspend</c>; its pods (of the JobSet the trainer makes,
/// named after it) carry <c>jobset.sigs.k8s.io/jobset-name</c>. A flavor's node selector and tolerations go in
/// through <c>spec.podSpecOverrides</c> for the <c>node</c> job.
/// </summary>
public sealed class TrainJobFramework : Framework
{
    /// <summary>The replicated job of a training runtime that runs the training nodes.</summary>
    public const string NodeJob = "node";

    public override string Group => "trainer.kubeflow.org";

    public override string Version => "v1alpha1";

    public override string Kind => "TrainJob";

    public override string Plural => "trainjobs";

    /// <summary>The trainer runs its nodes as a JobSet: its pods carry the JobSet's labels.</summary>
    public override string MemberLabel => JobSet.JobSetFramework.NameLabel;

    public override string? PodSetOf(IDictionary<string, string>? labels) => JobSet.JobSetFramework.ReplicatedJobOf(labels);

    public override IReadOnlyList<string> SuspendPath { get; } = ["spec", "suspend"];

    public override string? ReadPodSets(JsonObject spec, List<FrameworkPodSet> sets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sets);
        if (string.IsNullOrEmpty(JsonFields.Text(JsonFields.At(spec, "runtimeRef", "name"))))
        {
            return "spec.runtimeRef.name is missing; name the ClusterTrainingRuntime (or TrainingRuntime) that runs it, e.g. torch-distributed";
        }

        var nodes = JsonFields.Int(JsonFields.At(spec, "trainer", "numNodes"), "spec.trainer.numNodes", 1, out var error);
        if (error is not null)
        {
            return error;
        }

        if (nodes < 1)
        {
            return $"spec.trainer.numNodes is {nodes}; a TrainJob to admit runs at least 1 node";
        }

        var container = new JsonObject { ["name"] = NodeJob, ["image"] = JsonFields.Text(JsonFields.At(spec, "trainer", "image")) ?? "runtime" };
        if (JsonFields.At(spec, "trainer", "resourcesPerNode") is JsonObject resources)
        {
            container["resources"] = resources.DeepClone();
        }

        var template = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(container) } };
        sets.Add(new FrameworkPodSet(NodeJob, nodes!.Value, "spec.trainer", template, null));
        return null;
    }

    public override void Inject(JsonObject root, IReadOnlyList<FrameworkPodSet> sets, IReadOnlyDictionary<string, string> nodeSelector, IReadOnlyList<V1Toleration> tolerations)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(nodeSelector);
        ArgumentNullException.ThrowIfNull(tolerations);
        if (nodeSelector.Count == 0 && tolerations.Count == 0)
        {
            return;
        }

        if (root["spec"] is not JsonObject spec)
        {
            return;
        }

        if (spec["podSpecOverrides"] is not JsonArray overrides)
        {
            overrides = new JsonArray();
            spec["podSpecOverrides"] = overrides;
        }

        var entry = overrides.OfType<JsonObject>().FirstOrDefault(o => o["targetJobs"] is JsonArray { Count: 1 } t && JsonFields.Text(JsonFields.At(t, 0, "name")) == NodeJob);
        if (entry is null)
        {
            entry = new JsonObject { ["targetJobs"] = new JsonArray(new JsonObject { ["name"] = NodeJob }) };
            overrides.Add(entry);
        }

        MergeScheduling(entry, nodeSelector, tolerations);
    }
}
