using Berth.Kubernetes.Translation;
using k8s.Models;

namespace Berth.Kubernetes.Views;

/// <summary>
/// The queues a <see cref="Viewer"/> may see: every queue for one who may list queues; otherwise the queues whose
/// <c>namespaceSelector</c> admits at least one of the viewer's namespaces, that is, the queues their namespaces
/// may use (a queue without a selector admits every namespace).
/// </summary>
public static class VisibleQueues
{
    /// <summary>The names of the queues of <paramref name="queues"/> that <paramref name="viewer"/> may see, given the cluster's <paramref name="namespaces"/>.</summary>
    public static IReadOnlySet<string> Of(Viewer viewer, IEnumerable<Api.Queue> queues, IReadOnlyList<V1Namespace> namespaces)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        ArgumentNullException.ThrowIfNull(queues);
        var named = queues.Where(q => q.Metadata?.Name is not null);
        if (viewer.EveryQueue)
        {
            return named.Select(q => q.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        }

        var labels = viewer.Namespaces.Select(ns => NamespaceAccess.LabelsOf(ns, namespaces)).ToArray();
        return named.Where(q => labels.Any(l => NamespaceAccess.Allows(q, l))).Select(q => q.Metadata.Name).ToHashSet(StringComparer.Ordinal);
    }
}
