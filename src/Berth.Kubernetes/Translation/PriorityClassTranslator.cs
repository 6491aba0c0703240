using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Turns Kubernetes PriorityClasses into the model's: the value, and preemptible unless the class carries
/// the annotation (or label) <c>berth.dev/preemptible: "false"</c>. (A class's <c>preemptionPolicy: Never</c>
/// says its pods never preempt others, not that they are never preempted, so Berth does not read it here.)
/// </summary>
public static class PriorityClassTranslator
{
    public static PriorityClass Translate(V1PriorityClass priorityClass)
    {
        ArgumentNullException.ThrowIfNull(priorityClass);
        var meta = priorityClass.Metadata;
        var flag = ModelMapping.Get(meta?.Annotations, KubernetesNames.PreemptibleAnnotation) ?? ModelMapping.Get(meta?.Labels, KubernetesNames.PreemptibleAnnotation);
        return new PriorityClass(meta?.Name ?? string.Empty, priorityClass.Value ?? 0)
        {
            Preemptible = !string.Equals(flag, "false", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>The classes by name, for <see cref="WorkloadTranslator"/>; the first of two with one name (by ordinal name order, then uid) wins.</summary>
    public static IReadOnlyDictionary<string, PriorityClass> Lookup(IEnumerable<V1PriorityClass> priorityClasses)
    {
        ArgumentNullException.ThrowIfNull(priorityClasses);
        var result = new Dictionary<string, PriorityClass>(StringComparer.Ordinal);
        foreach (var cls in priorityClasses.Where(c => c?.Metadata?.Name is not null)
            .OrderBy(c => c.Metadata.Name, StringComparer.Ordinal).ThenBy(c => c.Metadata.Uid ?? string.Empty, StringComparer.Ordinal))
        {
            result.TryAdd(cls.Metadata.Name, Translate(cls));
        }

        return result;
    }
}
