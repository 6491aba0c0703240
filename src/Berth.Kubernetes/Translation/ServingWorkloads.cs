using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Serving workloads on Kubernetes: the pods of an apps/v1 Deployment or StatefulSet, and the groups of a
/// LeaderWorkerSet, that name a queue. Each replica (one pod; one LeaderWorkerSet group, a gang) is a workload
/// of its own, so that a scale-up admits (or preempts for) only the new replicas and a scale-down frees only what the
/// removed ones held; <see cref="Workload.ServingGroup"/> ties the replicas together so placement spreads them. As
/// Kueue's pod integration, Berth reads the replicas from the pods (their owner references), never from the
/// Deployment: what HPA or KEDA writes to <c>spec.replicas</c> reaches Berth as pods created or deleted. Pure.
/// </summary>
public static class ServingWorkloads
{
    /// <summary>
    /// The PriorityClass a serving replica takes when its pod template names none (operator flag
    /// <c>--serving-priority-class</c>, chart value <c>serving.priorityClass</c>): deploy/ creates it with value 1000, above
    /// the 0 of training pods that name no class, so a scale-up may preempt training.
    /// </summary>
    public const string DefaultPriorityClass = "berth-serving";

    /// <summary>
    /// Label on a Deployment, StatefulSet or LeaderWorkerSet: it is meant to be served through Berth. Berth's webhook
    /// refuses such an object without a queue label (and the controller reports its pods), instead of letting it run
    /// unqueued.
    /// </summary>
    public const string ServingLabel = "berth.dev/serving";

    /// <summary>The label the Deployment controller puts on a ReplicaSet's pods, and at the end of the ReplicaSet's name.</summary>
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>
    /// The serving workload a pod is a replica of, from its controlling owner: <c>statefulset/&lt;ns&gt;/&lt;name&gt;</c>, or
    /// for a ReplicaSet named <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c>, <c>deployment/&lt;ns&gt;/&lt;deployment&gt;</c>
    /// (a ReplicaSet of its own: <c>replicaset/&lt;ns&gt;/&lt;name&gt;</c>); null for a pod of anything else.
    /// </summary>
    public static string? GroupOf(V1ObjectMeta? metadata)
    {
        var owners = metadata?.OwnerReferences;
        if (owners is null || owners.Count == 0)
        {
            return null;
        }

        var owner = owners.FirstOrDefault(o => o?.Controller == true) ?? owners[0];
        if (owner is null || owner.ApiVersion != "apps/v1" || string.IsNullOrEmpty(owner.Name))
        {
            return null;
        }

        var ns = metadata!.NamespaceProperty ?? string.Empty;
        switch (owner.Kind)
        {
            case "StatefulSet":
                return $"statefulset/{ns}/{owner.Name}";
            case "ReplicaSet":
                var hash = ModelMapping.Get(metadata.Labels, PodTemplateHashLabel);
                return !string.IsNullOrEmpty(hash) && owner.Name.Length > hash.Length + 1 && owner.Name.EndsWith("-" + hash, StringComparison.Ordinal)
                    ? $"deployment/{ns}/{owner.Name[..^(hash.Length + 1)]}"
                    : $"replicaset/{ns}/{owner.Name}";
            default:
                return null;
        }
    }

    /// <summary>
    /// <paramref name="replica"/> as a replica of <paramref name="group"/>: marked with it, and, when its template names no
    /// PriorityClass (<paramref name="namesClass"/> false), given <paramref name="servingClass"/>'s priority and
    /// preemptibility. A serving class that does not exist changes nothing but adds a warning that says how to create it.
    /// </summary>
    public static Workload AsReplica(Workload replica, string group, bool namesClass, string? servingClass, IReadOnlyDictionary<string, PriorityClass> classes, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(warnings);
        var marked = replica with { ServingGroup = group };
        if (namesClass || string.IsNullOrEmpty(servingClass))
        {
            return marked;
        }

        if (!classes.TryGetValue(servingClass, out var cls))
        {
            warnings.Add($"{replica.Id}: serving replicas without a priorityClassName take PriorityClass {servingClass}, which does not exist; create it (deploy/priorityclasses.yaml) or set the operator's --serving-priority-class");
            return marked;
        }

        return marked with
        {
            Priority = cls.Value,
            Preemptible = replica.Preemptible && cls.Preemptible,
            PodSets = replica.PodSets.Select(s => s with { Template = s.Template with { Priority = cls.Value } }).ToArray(),
        };
    }
}
