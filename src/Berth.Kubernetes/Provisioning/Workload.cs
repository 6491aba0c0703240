using System.Text.Json;
using Berth.Kubernetes.Controller;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Provisioning;

/// <summary>A Job, PodGroup, job framework object or group of pods without one, as the provisioning check sees it: where it stands, and the pod sets it would ask capacity for.</summary>
internal sealed record Workload
{
    public required string Kind { get; init; }

    public required string ApiVersion { get; init; }

    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Uid { get; init; }

    public required V1ObjectMeta Meta { get; init; }

    /// <summary>The Job, for a Job; null for a PodGroup.</summary>
    public V1Job? Job { get; init; }

    /// <summary>The job framework object (JobSet, TrainJob, PyTorchJob, RayJob, RayCluster) and its framework; null otherwise.</summary>
    public (Frameworks.FrameworkObject Object, Frameworks.Framework Framework)? Framework { get; init; }

    /// <summary>The member pods of a PodGroup or of a group without an object (by name); empty for a Job.</summary>
    public IReadOnlyList<V1Pod> Pods { get; init; } = [];

    /// <summary>
    /// For pods with no object of their own (a label-only gang, a LeaderWorkerSet group, a lone pod): the first pod by
    /// name, which carries the check's state and owns the request; null otherwise.
    /// </summary>
    public V1Pod? Anchor { get; init; }

    /// <summary>The planner's pending reason code, for workloads found through its plan (those with an <see cref="Anchor"/>).</summary>
    public string? Code { get; init; }

    /// <summary>The name of the object that owns its requests: the anchor pod, else the workload itself.</summary>
    public string OwnerName => Anchor?.Metadata.Name ?? Name;

    /// <summary>Done for good: a Job completed or failed, a PodGroup's pods all ended or it failed (fitting no node at all is not failing for this), or rejected.</summary>
    public bool Finished { get; init; }

    /// <summary>Its quota is reserved while admission checks are not all ready.</summary>
    public bool Reserved => Meta.Annotations?.ContainsKey(KubernetesNames.QuotaReservedAnnotation) == true;

    /// <summary>Admitted and started: it has an admission record and no reservation mark.</summary>
    public bool Admitted => !Reserved && Meta.Annotations?.ContainsKey(AdmissionRecord.AnnotationName) == true;

    /// <summary>The queue it names (empty when none).</summary>
    public required string Queue { get; init; }

    /// <summary>The Jobs, PodGroups and suspendable job framework objects of a snapshot, with the queue each names.</summary>
    public static IEnumerable<Workload> All(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (var job in snapshot.Jobs)
        {
            var labels = job.Metadata.Labels;
            var queue = Label(labels, KubernetesNames.QueueLabel) ?? Label(labels, KubernetesNames.KueueQueueLabel);
            if (queue is not null && !OwnedByFramework(job.Metadata))
            {
                yield return new Workload
                {
                    Kind = "Job",
                    ApiVersion = "batch/v1",
                    Namespace = job.Metadata.NamespaceProperty,
                    Name = job.Metadata.Name,
                    Uid = job.Metadata.Uid,
                    Meta = job.Metadata,
                    Queue = queue,
                    Job = job,
                    Finished = Rejected(job.Metadata) || job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true,
                };
            }
        }

        foreach (var obj in snapshot.Frameworks)
        {
            // Frameworks admitted as one gang by resuming them, as a Job is; LeaderWorkerSet (no suspend, one gang per group) is not asked for.
            var queue = Label(obj.Metadata.Labels, KubernetesNames.QueueLabel) ?? Label(obj.Metadata.Labels, KubernetesNames.KueueQueueLabel);
            if (queue is null || Frameworks.FrameworkRegistry.Find(obj.ApiVersion, obj.Kind) is not { SuspendPath: not null } framework
                || OwnedByFramework(obj.Metadata))
            {
                continue;
            }

            yield return new Workload
            {
                Kind = obj.Kind,
                ApiVersion = obj.ApiVersion,
                Namespace = obj.Metadata.NamespaceProperty,
                Name = obj.Metadata.Name,
                Uid = obj.Metadata.Uid,
                Meta = obj.Metadata,
                Queue = queue,
                Framework = (obj, framework),
                Finished = Rejected(obj.Metadata) || framework.Finished(obj),
            };
        }

        foreach (var group in snapshot.PodGroups)
        {
            var pods = snapshot.Pods.Where(p => p.Metadata.NamespaceProperty == group.Metadata.NamespaceProperty && Label(p.Metadata.Labels, KubernetesNames.PodGroupLabel) == group.Metadata.Name)
                .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
            yield return new Workload
            {
                Kind = Api.PodGroup.KubeKind,
                ApiVersion = KubernetesNames.ApiVersion,
                Namespace = group.Metadata.NamespaceProperty,
                Name = group.Metadata.Name,
                Uid = group.Metadata.Uid,
                Meta = group.Metadata,
                Queue = group.Spec?.Queue ?? string.Empty,
                Pods = pods,
                Finished = Rejected(group.Metadata) || (pods.Count > 0 && pods.All(p => p.Status?.Phase is "Succeeded" or "Failed"))
                    || (group.Status?.Phase == "Failed" && group.Status.PendingReason?.Code != "NeverFits"),
            };
        }
    }

    /// <summary>
    /// The workloads of the plan made of pods with no object of their own, in a queue of <paramref name="checked"/>: each
    /// named as its workload id after the namespace (<c>podgroup/ns/g</c> is <c>g</c>, an LWS group <c>lws-1</c>),
    /// with its first pod by name as <see cref="Anchor"/>.
    /// </summary>
    public static IEnumerable<Workload> OfPods(ClusterSnapshot snapshot, DecisionPlan plan, IReadOnlySet<string> @checked)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(plan);
        var pods = snapshot.Pods.ToDictionary(p => p.Metadata.NamespaceProperty + "/" + p.Metadata.Name, StringComparer.Ordinal);
        foreach (var outcome in plan.Outcomes.Where(o => o.Kind is "Gang" or "Pod" && @checked.Contains(o.Queue)).DistinctBy(o => o.Id))
        {
            var members = outcome.PodKeys.Select(k => pods.GetValueOrDefault(k)).OfType<V1Pod>().OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
            if (members.Count == 0)
            {
                continue;
            }

            var anchor = members[0];
            yield return new Workload
            {
                Kind = "Pod",
                ApiVersion = "v1",
                Namespace = outcome.Namespace,
                Name = string.Join("-", outcome.Id.Split('/').Skip(2)),
                Uid = anchor.Metadata.Uid,
                Meta = anchor.Metadata,
                Queue = outcome.Queue,
                Pods = members,
                Anchor = anchor,
                Code = plan.Outcomes.Last(o => o.Id == outcome.Id).Code,
                Finished = Rejected(anchor.Metadata),
            };
        }
    }

    /// <summary>Made by a framework object (a JobSet's Jobs): capacity is asked for the object, as the planner admits it.</summary>
    private static bool OwnedByFramework(V1ObjectMeta meta) =>
        meta.OwnerReferences?.Any(o => o is not null && Frameworks.FrameworkRegistry.Find(o.ApiVersion, o.Kind) is not null) == true;

    private static bool Rejected(V1ObjectMeta meta) => meta.Annotations?.ContainsKey(KubernetesNames.AdmissionCheckRejectedAnnotation) == true;

    private static string? Label(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// Its pod sets: a Job's template with its parallelism; a PodGroup's pods grouped by what the autoscaler sizes
    /// nodes by (resources, node selector, affinity, tolerations), each set's template the first pod's spec.
    /// </summary>
    public IReadOnlyList<(V1PodTemplateSpec Template, int Count)> PodSets()
    {
        if (Job is { } job)
        {
            return [(job.Spec.Template, job.Spec.Parallelism ?? 1)];
        }

        if (Framework is var (obj, framework))
        {
            var sets = new List<Frameworks.FrameworkPodSet>();
            return Frameworks.FrameworkTranslator.ReadPodSets(obj, framework, sets) is null
                ? sets.Where(s => s.Template is not null).Select(s => (KubernetesJson.Deserialize<V1PodTemplateSpec>(s.Template!.ToJsonString()), s.Count)).ToList()
                : [];
        }

        return Pods.GroupBy(Shape, StringComparer.Ordinal)
            .Select(g => (new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = g.First().Metadata.Labels }, Spec = Unbound(g.First().Spec) }, g.Count()))
            .ToList();
    }

    private static string Shape(V1Pod pod) => JsonSerializer.Serialize(new
    {
        containers = pod.Spec.Containers.Select(c => c.Resources is null ? null : KubernetesJson.Serialize(c.Resources)),
        selector = pod.Spec.NodeSelector?.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray(),
        affinity = pod.Spec.Affinity is null ? null : KubernetesJson.Serialize(pod.Spec.Affinity),
        tolerations = pod.Spec.Tolerations is null ? null : KubernetesJson.Serialize(pod.Spec.Tolerations),
    });

    private static V1PodSpec Unbound(V1PodSpec spec)
    {
        var copy = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(spec));
        copy.NodeName = null;
        return copy;
    }
}
