using Berth.Model;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Kueue's topology-aware scheduling annotations on a pod template (<c>kueue.x-k8s.io/podset-required-topology</c>,
/// <c>podset-preferred-topology</c>), so that a Job written for Kueue keeps its placement under Berth. As in Kueue, a
/// pod set names one of them; a preferred level climbs the flavor's topology levels.
/// </summary>
internal static class KueueTopologyAnnotations
{
    /// <summary>
    /// The pod set's required key or preferred levels from <paramref name="annotations"/>; null when neither is set.
    /// <paramref name="problem"/> says what is wrong (both set, or an empty value) and how to fix it.
    /// </summary>
    public static (string? Required, IReadOnlyList<string> Preferred)? Read(IDictionary<string, string>? annotations, out string? problem)
    {
        problem = null;
        var required = ModelMapping.Get(annotations, KubernetesNames.KueueRequiredTopologyAnnotation);
        var preferred = ModelMapping.Get(annotations, KubernetesNames.KueuePreferredTopologyAnnotation);
        if (required is null && preferred is null)
        {
            return null;
        }

        if (required is not null && preferred is not null)
        {
            problem = $"the pod template sets both {KubernetesNames.KueueRequiredTopologyAnnotation} and {KubernetesNames.KueuePreferredTopologyAnnotation}; keep one, as Kueue allows";
            return null;
        }

        var (name, value) = required is not null ? (KubernetesNames.KueueRequiredTopologyAnnotation, required) : (KubernetesNames.KueuePreferredTopologyAnnotation, preferred!);
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = $"annotation {name} is empty; give a node label key such as cloud.provider.com/topology-rack or kubernetes.io/hostname";
            return null;
        }

        var key = TopologyKeys.Resolve(value.Trim());
        return required is not null ? (key, []) : (null, [key]);
    }
}
