using System.Text.Json.Nodes;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Translation;
using Berth.Model;
using Berth.Model.Queueing;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Frameworks;

/// <summary>
/// Turns a framework object into the model's <see cref="Workload"/>: one pod set per pod set of its spec, all of
/// them one gang (a framework admitted group by group gives one workload per group, <paramref name="gang"/>).
/// Pure; bad input (a version Berth does not read, a malformed spec) gives a <see cref="WorkloadResult"/> naming the
/// field and the fix, never an exception. Priority from the first template's <c>priorityClassName</c> (as Kueue
/// takes it), preemptible and run times from the object's annotations, as for a Job.
/// </summary>
public static class FrameworkTranslator
{
    /// <summary>The workload id of an object (<c>jobset/&lt;namespace&gt;/&lt;name&gt;</c>), or of one of its gangs (<c>.../&lt;index&gt;</c>).</summary>
    public static string IdOf(Framework framework, string ns, string name, int? gang = null)
    {
        ArgumentNullException.ThrowIfNull(framework);
        return gang is { } g ? $"{framework.IdPrefix}/{ns}/{name}/{g}" : $"{framework.IdPrefix}/{ns}/{name}";
    }

    /// <summary>Reads the object's pod sets, or says what is wrong with its apiVersion or spec (field and fix).</summary>
    public static string? ReadPodSets(FrameworkObject obj, Framework framework, List<FrameworkPodSet> sets)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(framework);
        if (!string.Equals(obj.ApiVersion, framework.ApiVersion, StringComparison.Ordinal))
        {
            return $"apiVersion is {obj.ApiVersion}, a version of {framework.Kind} Berth does not read; write apiVersion: {framework.ApiVersion} (the version Berth follows)";
        }

        if (obj.Section("spec") is not { } spec)
        {
            return $"spec is missing; give the {framework.Kind}'s spec";
        }

        return framework.ReadPodSets(spec, sets);
    }

    public static WorkloadResult FromObject(FrameworkObject obj, Framework framework, string? queue, DateTimeOffset epoch, IReadOnlyDictionary<string, PriorityClass>? priorityClasses = null, int? gang = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(framework);
        var warnings = new List<string>();
        var meta = obj.Metadata ?? new V1ObjectMeta();
        var id = IdOf(framework, meta.NamespaceProperty ?? string.Empty, meta.Name ?? string.Empty, gang);
        if (string.IsNullOrWhiteSpace(queue))
        {
            return WorkloadResult.Invalid(ConditionReasons.NoQueue, $"{id} names no queue; label it {KubernetesNames.QueueLabel}: <queue> (or {KubernetesNames.KueueQueueLabel})", warnings);
        }

        var sets = new List<FrameworkPodSet>();
        if (ReadPodSets(obj, framework, sets) is { } problem)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {problem}", warnings);
        }

        if (sets.Count == 0)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: its spec asks for no pods; give it at least one replica", warnings);
        }

        var gangs = gang is null ? 1 : Math.Max(1, framework.Gangs(sets));
        var podSets = new List<PodSet>();
        int? priority = null;
        var preemptible = true;
        foreach (var set in sets)
        {
            if (set.Template?["spec"] is not JsonObject specNode)
            {
                return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {set.Field}.spec is missing; give pod set {set.Name} a pod template", warnings);
            }

            V1PodSpec podSpec;
            IDictionary<string, string>? annotations;
            try
            {
                podSpec = KubernetesJson.Deserialize<V1PodSpec>(specNode.ToJsonString());
                annotations = set.Template["metadata"] is JsonObject m ? KubernetesJson.Deserialize<V1ObjectMeta>(m.ToJsonString()).Annotations : null;
            }
            catch (System.Text.Json.JsonException e)
            {
                return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {set.Field} is not a pod template ({e.Message}); fix it", warnings);
            }

            var pod = PodTranslator.ReadTemplate(set.Name, podSpec, annotations, warnings, out var podError);
            if (podError is not null)
            {
                return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {set.Field}: {podError}", warnings);
            }

            if (priority is null && !string.IsNullOrEmpty(podSpec.PriorityClassName))
            {
                if (priorityClasses is null || !priorityClasses.TryGetValue(podSpec.PriorityClassName, out var cls))
                {
                    return WorkloadResult.Invalid(ConditionReasons.UnknownPriorityClass, $"{id}: {set.Field}.spec.priorityClassName '{podSpec.PriorityClassName}' is not a PriorityClass; create it or fix the name", warnings);
                }

                (priority, preemptible) = (cls.Value, cls.Preemptible);
            }

            var count = set.Count / gangs;
            podSets.Add(new PodSet(set.Name, count, pod) { MinCount = count }); // a framework's pods all run together: none of these has an elastic minimum
        }

        var toleratesSpot = SpotToleration.Read(meta.Annotations, out var spotError);
        if (spotError is not null)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {spotError}", warnings);
        }

        var value = priority ?? 0;
        var workload = new Workload(id)
        {
            Queue = queue,
            ToleratesSpot = toleratesSpot,
            PodSets = podSets.Select(s => s with { Template = s.Template with { Priority = value } }).ToArray(),
            Priority = value,
            Preemptible = PodTranslator.PreemptibleAnnotation(meta.Annotations, warnings) ?? preemptible,
            SubmitTime = WorkloadTranslator.SubmitTime(meta.CreationTimestamp, epoch, id, warnings),
            ExpectedRunTime = PodTranslator.DurationAnnotation(meta.Annotations, KubernetesNames.ExpectedRunTimeAnnotation, warnings),
            CheckpointInterval = PodTranslator.DurationAnnotation(meta.Annotations, KubernetesNames.CheckpointIntervalAnnotation, warnings),
        };
        return WorkloadTranslator.WithDatasets(workload, meta, warnings);
    }
}
