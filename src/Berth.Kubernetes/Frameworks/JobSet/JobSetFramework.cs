using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Frameworks.JobSet;

/// <summary>
/// JobSet (<c>jobset.x-k8s.io/v1alpha2</c>): one pod set per replicated job, <c>replicas</c> × the Job's pods
/// (<c>parallelism</c>, at most <c>completions</c>); suspended by <c>spec.suspend</c>; pods carry
/// <c>jobset.sigs.k8s.io/jobset-name</c>.
/// </summary>
public sealed class JobSetFramework : Framework
{
    public override string Group => "jobset.x-k8s.io";

    public override string Version => "v1alpha2";

    public override string Kind => "JobSet";

    public override string Plural => "jobsets";

    /// <summary>The pod label naming a member's JobSet.</summary>
    public const string NameLabel = "jobset.sigs.k8s.io/jobset-name";

    /// <summary>The pod label naming a member's pod set.</summary>
    public const string PodSetLabel = "jobset.sigs.k8s.io/replicatedjob-name";

    public override string MemberLabel => NameLabel;

    public override string? PodSetOf(IDictionary<string, string>? labels) => ReplicatedJobOf(labels);

    /// <summary>The replicated job a pod of a JobSet (or of a TrainJob's JobSet) belongs to; null without the label.</summary>
    public static string? ReplicatedJobOf(IDictionary<string, string>? labels) => labels?.TryGetValue(PodSetLabel, out var set) == true ? set : null;

    public override IReadOnlyList<string> SuspendPath { get; } = ["spec", "suspend"];

    public override string? ReadPodSets(JsonObject spec, List<FrameworkPodSet> sets)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sets);
        if (spec["replicatedJobs"] is not JsonArray jobs || jobs.Count == 0)
        {
            return "spec.replicatedJobs is missing or empty; list at least one replicated job (name, replicas, template)";
        }

        for (var i = 0; i < jobs.Count; i++)
        {
            var field = $"spec.replicatedJobs[{i}]";
            var job = jobs[i] as JsonObject;
            var name = JsonFields.Text(job?["name"]);
            if (string.IsNullOrEmpty(name))
            {
                return $"{field}.name is missing; give each replicated job a name";
            }

            var replicas = JsonFields.Int(job!["replicas"], field + ".replicas", 1, out var error);
            var parallelism = JsonFields.Int(JsonFields.At(job, "template", "spec", "parallelism"), field + ".template.spec.parallelism", 1, out var error2);
            var completions = JsonFields.Int(JsonFields.At(job, "template", "spec", "completions"), field + ".template.spec.completions", int.MaxValue, out var error3);
            if ((error ?? error2 ?? error3) is { } bad)
            {
                return bad;
            }

            var count = replicas!.Value * Math.Min(parallelism!.Value, completions!.Value);
            if (count < 1)
            {
                return $"{field} runs {count} pods (replicas {replicas} × parallelism {parallelism}); a JobSet to admit runs at least 1 pod in each replicated job";
            }

            sets.Add(TemplateSet(spec, name, count, field + ".template.spec.template", ["spec", "replicatedJobs", i, "template", "spec", "template"]));
        }

        return null;
    }
}
