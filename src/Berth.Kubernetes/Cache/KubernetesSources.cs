using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Cache;

/// <summary>List and watch calls of the official client for the kinds Berth follows.</summary>
public static class KubernetesSources
{
    private const int PageSize = 500;

    public static ResourceSource<V1Node> Nodes(IKubernetes client) => new(
        "Node",
        async (token, ct) =>
        {
            var list = await client.CoreV1.ListNodeAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<V1Node>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct));

    public static ResourceSource<V1Pod> Pods(IKubernetes client) => new(
        "Pod",
        async (token, ct) =>
        {
            var list = await client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<V1Pod>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct));

    public static ResourceSource<V1Job> Jobs(IKubernetes client) => new(
        "Job",
        async (token, ct) =>
        {
            var list = await client.BatchV1.ListJobForAllNamespacesAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<V1Job>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.BatchV1.WatchListJobForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct));

    public static ResourceSource<V1PriorityClass> PriorityClasses(IKubernetes client) => new(
        "PriorityClass",
        async (token, ct) =>
        {
            var list = await client.SchedulingV1.ListPriorityClassAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<V1PriorityClass>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.SchedulingV1.WatchListPriorityClassAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct));

    public static ResourceSource<V1Namespace> Namespaces(IKubernetes client) => new(
        "Namespace",
        async (token, ct) =>
        {
            var list = await client.CoreV1.ListNamespaceAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<V1Namespace>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.CoreV1.WatchListNamespaceAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct));

    /// <summary>A custom resource of Berth's group, listed across namespaces (namespaced kinds) or cluster-wide.</summary>
    public static ResourceSource<T> Custom<T>(IKubernetes client, string kind, string plural)
        where T : class, IKubernetesObject<V1ObjectMeta> => new(
        kind,
        async (token, ct) =>
        {
            var body = await client.CustomObjects.ListClusterCustomObjectAsync(KubernetesNames.Group, KubernetesNames.Version, plural, continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            var element = (JsonElement)body;
            var items = new List<T>();
            if (element.TryGetProperty("items", out var array))
            {
                foreach (var item in array.EnumerateArray())
                {
                    items.Add(KubernetesJson.Deserialize<T>(item.GetRawText()));
                }
            }

            var meta = element.GetProperty("metadata");
            var rv = meta.TryGetProperty("resourceVersion", out var v) ? v.GetString() ?? string.Empty : string.Empty;
            var cont = meta.TryGetProperty("continue", out var c) ? c.GetString() : null;
            return new ListPage<T>(items, rv, cont);
        },
        (rv, onError, ct) => WatchCustom<T>(client, plural, rv, onError, ct));

    /// <summary>
    /// The objects of one job framework, across namespaces. A cluster without the framework's CRD answers 404 (403 where
    /// Berth's ClusterRole leaves the framework out): that lists as empty (nothing to admit), and after a minute the
    /// informer lists again, so a CRD installed (or a grant given) later is followed.
    /// </summary>
    public static ResourceSource<Frameworks.FrameworkObject> Framework(IKubernetes client, Frameworks.Framework framework, TimeProvider time)
    {
        var missing = false;
        return new(
            framework.Kind,
            async (token, ct) =>
            {
                try
                {
                    var body = await client.CustomObjects.ListClusterCustomObjectAsync(framework.Group, framework.Version, framework.Plural, continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
                    missing = false;
                    var element = (JsonElement)body;
                    var items = new List<Frameworks.FrameworkObject>();
                    if (element.TryGetProperty("items", out var array))
                    {
                        foreach (var item in array.EnumerateArray())
                        {
                            var obj = KubernetesJson.Deserialize<Frameworks.FrameworkObject>(item.GetRawText());
                            obj.ApiVersion = string.IsNullOrEmpty(obj.ApiVersion) ? framework.ApiVersion : obj.ApiVersion;
                            obj.Kind = string.IsNullOrEmpty(obj.Kind) ? framework.Kind : obj.Kind;
                            items.Add(obj);
                        }
                    }

                    var meta = element.GetProperty("metadata");
                    var rv = meta.TryGetProperty("resourceVersion", out var v) ? v.GetString() ?? string.Empty : string.Empty;
                    var cont = meta.TryGetProperty("continue", out var c) ? c.GetString() : null;
                    return new ListPage<Frameworks.FrameworkObject>(items, rv, cont);
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Forbidden)
                {
                    missing = true;
                    return new ListPage<Frameworks.FrameworkObject>([], string.Empty, null);
                }
            },
            (rv, onError, ct) => missing ? Absent(framework, time, ct) : WatchFramework(client, framework, rv, onError, ct));
    }

    private static async IAsyncEnumerable<(WatchEventType, Frameworks.FrameworkObject)> Absent(Frameworks.Framework framework, TimeProvider time, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromMinutes(1), time, ct).ConfigureAwait(false);
        throw new InvalidOperationException($"the {framework.Kind} CRD ({framework.Plural}.{framework.Group}/{framework.Version}) is not installed; looking again");
#pragma warning disable CS0162 // an iterator needs a yield to be one
        yield break;
#pragma warning restore CS0162
    }

    private static async IAsyncEnumerable<(WatchEventType, Frameworks.FrameworkObject)> WatchFramework(IKubernetes client, Frameworks.Framework framework, string rv, Action<Exception> onError, [EnumeratorCancellation] CancellationToken ct)
    {
        var events = client.CustomObjects.WatchListClusterCustomObjectAsync(framework.Group, framework.Version, framework.Plural, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct);
        await foreach (var (type, body) in events.ConfigureAwait(false))
        {
            var raw = body is JsonElement element ? element.GetRawText() : KubernetesJson.Serialize(body);
            yield return (type, KubernetesJson.Deserialize<Frameworks.FrameworkObject>(raw));
        }
    }

    private static async IAsyncEnumerable<(WatchEventType, T)> WatchCustom<T>(IKubernetes client, string plural, string rv, Action<Exception> onError, [EnumeratorCancellation] CancellationToken ct)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var events = client.CustomObjects.WatchListClusterCustomObjectAsync(KubernetesNames.Group, KubernetesNames.Version, plural, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct);
        await foreach (var (type, body) in events.ConfigureAwait(false))
        {
            var raw = body is JsonElement element ? element.GetRawText() : KubernetesJson.Serialize(body);
            yield return (type, KubernetesJson.Deserialize<T>(raw));
        }
    }

    /// <summary>Servers end a watch after at most this long; the informer resumes from its last version.</summary>
    private const int WatchSeconds = 300;
}
