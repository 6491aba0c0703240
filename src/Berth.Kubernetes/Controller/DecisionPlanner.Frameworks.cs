using System.Text.Json.Nodes;
using Berth.Kubernetes.Frameworks;
using Berth.Kubernetes.Translation;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Job frameworks (<see cref="FrameworkRegistry"/>): an object with a queue label is one gang of all its pod sets,
/// admitted as a batch/v1 Job is (suspended while it waits, its admission record written and the flavor's node
/// selector put in its pod templates as it is resumed, suspended again when preempted); a framework without suspend
/// (LeaderWorkerSet) is one gang per group, held back at its pods, which Berth binds.
/// </summary>
public sealed partial class DecisionPlanner
{
    private void ReadFrameworks(List<PodInfo> live, HashSet<string> taken)
    {
        var byLabel = new Dictionary<string, ILookup<(string Namespace, string Value), PodInfo>>(StringComparer.Ordinal);
        foreach (var obj in _snapshot.Frameworks.OrderBy(o => o.Kind, StringComparer.Ordinal).ThenBy(o => o.Metadata?.NamespaceProperty, StringComparer.Ordinal).ThenBy(o => o.Metadata?.Name, StringComparer.Ordinal))
        {
            var meta = obj.Metadata ?? new V1ObjectMeta();
            var queue = WorkloadTranslator.QueueOf(meta);
            if (queue is null || FrameworkRegistry.Find(obj.ApiVersion, obj.Kind) is not { } framework || OwnedByFramework(meta) || framework.Finished(obj))
            {
                continue; // not Berth's, made by another framework object (read with it), or done
            }

            var ns = meta.NamespaceProperty ?? string.Empty;
            var name = meta.Name ?? string.Empty;
            var memberName = framework.MemberName(obj);
            if (!byLabel.TryGetValue(framework.MemberLabel, out var members))
            {
                members = live.Where(p => p.Object.Metadata?.Labels?.ContainsKey(framework.MemberLabel) == true).ToLookup(p => (p.Namespace, p.Object.Metadata!.Labels[framework.MemberLabel]));
                byLabel[framework.MemberLabel] = members;
            }

            var pods = members[(ns, memberName)].Where(p => !taken.Contains(p.Key)).ToList();
            foreach (var pod in pods)
            {
                taken.Add(pod.Key);
            }

            var reference = new V1ObjectReference { ApiVersion = obj.ApiVersion, Kind = obj.Kind, Name = name, NamespaceProperty = ns, Uid = meta.Uid };
            if (framework.SuspendPath is null)
            {
                ReadFrameworkGangs(obj, framework, queue, pods, reference);
                continue;
            }

            var result = FrameworkTranslator.FromObject(obj, framework, queue, Epoch, _priorityClasses);
            var id = FrameworkTranslator.IdOf(framework, ns, name);
            var known = obj.ApiVersion == framework.ApiVersion;
            var record = Seal.Open(meta);
            var suspended = Suspended(obj, framework.SuspendPath);
            var reserved = record is not null && meta.Annotations?.ContainsKey(KubernetesNames.QuotaReservedAnnotation) == true;
            if (known && !suspended && (record is null || reserved))
            {
                // Started without Berth: stop it so it waits in its queue, as a Job does.
                _plan.Suspensions.Add(new SuspendJobAction(ns, name, "NotAdmitted", $"the {obj.Kind} names queue {queue} but was not admitted by Berth; suspended until its queue admits it (create queued {obj.Kind}s suspended)", Kind: obj.Kind));
                _plan.Events.Add(new EventAction(reference, "Warning", "NotAdmitted", $"suspended: it names queue {queue} and waits there until admitted"));
                continue;
            }

            var source = new WorkloadSource
            {
                Kind = SourceKind.Framework,
                Id = id,
                Namespace = ns,
                Name = name,
                Workload = result.Workload ?? Placeholder(id, queue),
                Reference = reference,
                Created = Created(meta.CreationTimestamp),
                Record = suspended && !reserved ? null : record,
                Admitted = known && record is not null && (!suspended || reserved),
                QuotaReserved = reserved,
                Owner = obj,
                Requeues = IntAnnotation(meta, KubernetesNames.RequeuesAnnotation),
                BackoffUntil = TimeAnnotation(meta, KubernetesNames.BackoffUntilAnnotation),
                PodsReadyAt = TimeAnnotation(meta, KubernetesNames.PodsReadyAnnotation),
                IdleReclaimedAt = meta.Annotations?.TryGetValue(KubernetesNames.IdleReclaimedAnnotation, out var reclaimed) == true ? reclaimed : null,
                CheckRejectedAt = meta.Annotations?.TryGetValue(KubernetesNames.AdmissionCheckRejectedAnnotation, out var rejected) == true ? rejected : null,
                Problem = result.IsValid ? null : (result.Reason, result.Message),
            };
            AddMembers(source, framework, pods);
            _sources.Add(source);
        }
    }

    /// <summary>
    /// A framework without suspend: one gang per group (<c>&lt;id&gt;/&lt;index&gt;</c>) of the pods labelled with that
    /// group's index, waiting until the whole group exists; its pods must be Berth's to schedule, or nothing holds them back.
    /// </summary>
    private void ReadFrameworkGangs(FrameworkObject obj, Framework framework, string queue, List<PodInfo> pods, V1ObjectReference reference)
    {
        var meta = obj.Metadata;
        var ns = meta.NamespaceProperty ?? string.Empty;
        var name = meta.Name ?? string.Empty;
        var sets = new List<FrameworkPodSet>();
        var problem = FrameworkTranslator.ReadPodSets(obj, framework, sets);
        if (problem is null && sets.FirstOrDefault(s => JsonFields.Text(JsonFields.At(s.Template, "spec", "schedulerName")) != KubernetesNames.SchedulerName) is { } other)
        {
            problem = $"{other.Field}.spec.schedulerName is '{JsonFields.Text(JsonFields.At(other.Template, "spec", "schedulerName")) ?? "default-scheduler"}'; a {framework.Kind} has no suspend, so Berth holds its groups back by binding their pods itself: set schedulerName: {KubernetesNames.SchedulerName} in every template";
        }

        if (problem is not null)
        {
            var id = FrameworkTranslator.IdOf(framework, ns, name);
            var invalid = new WorkloadSource
            {
                Kind = SourceKind.Gang,
                Id = id,
                Namespace = ns,
                Name = name,
                Workload = Placeholder(id, queue),
                Reference = reference,
                Created = Created(meta.CreationTimestamp),
                Owner = obj, // its pending reason goes on the object, as a Job's does
                Problem = (Api.ConditionReasons.InvalidSpec, $"{id}: {problem}"),
            };
            invalid.Members.AddRange(pods.Select(p => (p, 0)));
            _sources.Add(invalid);
            return;
        }

        var gangs = framework.Gangs(sets);
        var size = sets.Sum(s => s.Count) / Math.Max(1, gangs);
        var byGroup = pods.ToLookup(p => p.Object.Metadata?.Labels?.TryGetValue(Frameworks.LeaderWorkerSet.LeaderWorkerSetFramework.GroupIndexLabel, out var index) == true ? index : string.Empty, StringComparer.Ordinal);
        for (var g = 0; g < gangs; g++)
        {
            var members = byGroup[g.ToString(System.Globalization.CultureInfo.InvariantCulture)].ToList();
            var result = FrameworkTranslator.FromObject(obj, framework, queue, Epoch, _priorityClasses, g);
            var id = FrameworkTranslator.IdOf(framework, ns, name, g);
            if (framework.Serves && result.Workload is { } replica)
            {
                var warnings = new List<string>();
                var namesClass = sets.Any(s => !string.IsNullOrEmpty(JsonFields.Text(JsonFields.At(s.Template, "spec", "priorityClassName"))));
                result = result with { Workload = ServingWorkloads.AsReplica(replica, FrameworkTranslator.IdOf(framework, ns, name), namesClass, _options.ServingPriorityClass, _priorityClasses, warnings) };
                _plan.Warnings.AddRange(warnings);
            }

            var source = new WorkloadSource
            {
                Kind = SourceKind.Gang,
                Id = id,
                Namespace = ns,
                Name = name,
                Workload = result.Workload ?? Placeholder(id, queue),
                Reference = reference,
                Created = Created(meta.CreationTimestamp),
                Admitted = result.IsValid && members.Any(m => m.Bound && m.BerthScheduled),
                MissingMembers = Math.Max(0, size - members.Count),
                Problem = result.IsValid ? null : (result.Reason, result.Message),
            };
            AddMembers(source, framework, members);
            _sources.Add(source);
        }
    }

    /// <summary>Adds the pods with their pod set: the one their framework's labels name, else the first of their shape, else the first.</summary>
    private static void AddMembers(WorkloadSource source, Framework framework, List<PodInfo> pods)
    {
        var sets = source.Workload.PodSets;
        var keys = sets.Select(s => WorkloadTranslator.ShapeKey(s.Template)).ToArray();
        foreach (var pod in pods.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var named = framework.PodSetOf(pod.Object.Metadata?.Labels);
            var index = -1;
            for (var i = 0; i < sets.Count && named is not null; i++)
            {
                if (sets[i].Name == named)
                {
                    index = i;
                }
            }

            if (index < 0)
            {
                index = Array.IndexOf(keys, WorkloadTranslator.ShapeKey(pod.Request));
            }

            source.Members.Add((pod, Math.Max(0, index)));
        }
    }

    /// <summary>True when the object was made by another framework object (a TrainJob's JobSet, a RayJob's RayCluster): its owner is the workload.</summary>
    private static bool OwnedByFramework(V1ObjectMeta meta) =>
        meta.OwnerReferences?.Any(o => o is not null && FrameworkRegistry.Find(o.ApiVersion, o.Kind) is not null) == true;

    private static bool Suspended(FrameworkObject obj, IReadOnlyList<string> path) =>
        JsonFields.At(obj.Section(path[0]), [.. path.Skip(1)]) is JsonValue value && value.TryGetValue<bool>(out var suspended) && suspended;

    /// <summary>True when every pod template of a framework object names Berth's scheduler: then Berth binds its pods where it planned them.</summary>
    private static bool FrameworkPodsUseBerth(FrameworkObject obj)
    {
        if (FrameworkRegistry.Find(obj.ApiVersion, obj.Kind) is not { } framework)
        {
            return false;
        }

        var sets = new List<FrameworkPodSet>();
        return FrameworkTranslator.ReadPodSets(obj, framework, sets) is null && sets.Count > 0
            && sets.All(s => JsonFields.Text(JsonFields.At(s.Template, "spec", "schedulerName")) == KubernetesNames.SchedulerName);
    }
}
