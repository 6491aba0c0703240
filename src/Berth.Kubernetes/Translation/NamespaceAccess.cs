using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Which namespaces may use a Queue: its <c>spec.namespaceSelector</c> (Kueue's ClusterQueue field) matched against a
/// namespace's labels. Absent or empty: every namespace (Berth's default, so that existing queues keep working;
/// on a shared cluster give every queue a selector). The label <c>kubernetes.io/metadata.name</c> is always present,
/// as the API server sets it on every namespace.
/// </summary>
public static class NamespaceAccess
{
    /// <summary>The label the API server puts on every namespace, with its name as the value.</summary>
    public const string NameLabel = "kubernetes.io/metadata.name";

    /// <summary>The labels of <paramref name="ns"/> from <paramref name="namespaces"/>, with its name label added (a namespace not listed has only that).</summary>
    public static IReadOnlyDictionary<string, string> LabelsOf(string ns, IEnumerable<V1Namespace> namespaces)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        var found = namespaces.FirstOrDefault(n => n.Metadata?.Name == ns);
        var labels = new Dictionary<string, string>(found?.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [NameLabel] = ns,
        };
        return labels;
    }

    /// <summary>True when a workload in a namespace with <paramref name="labels"/> may use <paramref name="queue"/>.</summary>
    public static bool Allows(Api.Queue queue, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(labels);
        var selector = queue.Spec?.NamespaceSelector;
        if (selector is null)
        {
            return true;
        }

        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var have) || have != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var present = labels.TryGetValue(requirement.Key ?? string.Empty, out var have);
            var values = requirement.Values ?? [];
            var ok = requirement.OperatorProperty switch
            {
                "In" => present && values.Contains(have!),
                "NotIn" => !present || !values.Contains(have!),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => false, // an unknown operator matches nothing: a queue never opens wider by mistake
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The selector as a person would write it (for pending reasons and webhook refusals).</summary>
    public static string Describe(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return "{}";
        }

        var parts = (selector.MatchLabels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")
            .Concat((selector.MatchExpressions ?? []).Select(e => $"{e.Key} {e.OperatorProperty} ({string.Join(",", e.Values ?? [])})"));
        return "{" + string.Join(", ", parts) + "}";
    }
}
