using k8s.Models;

namespace Berth.Kubernetes.Webhook;

/// <summary>
/// What the webhook looks up on the cluster, by name, from the controller's cache (no API call per request, no copy
/// of the cluster). <see cref="Synced"/> false: the cache has not listed yet, and the checks that need it are skipped
/// (the controller still enforces queues; the Service sends requests only to ready replicas anyway).
/// </summary>
public sealed record WebhookView(
    Func<bool> Synced,
    Func<string, Api.Queue?> Queue,
    Func<string, V1PriorityClass?> PriorityClass,
    Func<string, V1Namespace?> Namespace)
{
    /// <summary>The view of a fixed set of objects (tests, and a cache's snapshot).</summary>
    public static WebhookView Of(IEnumerable<Api.Queue> queues, IEnumerable<V1PriorityClass> classes, IEnumerable<V1Namespace> namespaces)
    {
        var q = queues.Where(x => x.Metadata?.Name is not null).ToDictionary(x => x.Metadata.Name, StringComparer.Ordinal);
        var c = classes.Where(x => x.Metadata?.Name is not null).ToDictionary(x => x.Metadata.Name, StringComparer.Ordinal);
        var n = namespaces.Where(x => x.Metadata?.Name is not null).ToDictionary(x => x.Metadata.Name, StringComparer.Ordinal);
        return new WebhookView(() => true, q.GetValueOrDefault, c.GetValueOrDefault, n.GetValueOrDefault);
    }
}
