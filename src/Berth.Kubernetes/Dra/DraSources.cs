using System.Net;
using System.Runtime.CompilerServices;
using Berth.Kubernetes.Cache;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// List and watch calls of the official client for the four DRA kinds. A cluster older than Kubernetes 1.34 (no
/// <c>resource.k8s.io/v1</c>, 404) or a ClusterRole without the grant (403) lists as empty, and after a minute the
/// informer lists again, so DRA enabled (or granted) later is followed without a restart.
/// </summary>
public static class DraSources
{
    private const int PageSize = 500;
    private const int WatchSeconds = 300;

    public static ResourceSource<V1ResourceSlice> Slices(IKubernetes client, TimeProvider time) => Tolerant(
        "ResourceSlice",
        async (token, ct) =>
        {
            var list = await client.ResourceV1.ListResourceSliceAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<V1ResourceSlice>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.ResourceV1.WatchListResourceSliceAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct),
        time);

    public static ResourceSource<V1DeviceClass> Classes(IKubernetes client, TimeProvider time) => Tolerant(
        "DeviceClass",
        async (token, ct) =>
        {
            var list = await client.ResourceV1.ListDeviceClassAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<V1DeviceClass>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.ResourceV1.WatchListDeviceClassAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct),
        time);

    public static ResourceSource<Resourcev1ResourceClaim> Claims(IKubernetes client, TimeProvider time) => Tolerant(
        "ResourceClaim",
        async (token, ct) =>
        {
            var list = await client.ResourceV1.ListResourceClaimForAllNamespacesAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<Resourcev1ResourceClaim>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.ResourceV1.WatchListResourceClaimForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct),
        time);

    public static ResourceSource<V1ResourceClaimTemplate> Templates(IKubernetes client, TimeProvider time) => Tolerant(
        "ResourceClaimTemplate",
        async (token, ct) =>
        {
            var list = await client.ResourceV1.ListResourceClaimTemplateForAllNamespacesAsync(continueParameter: token, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            return new ListPage<V1ResourceClaimTemplate>([.. list.Items], list.Metadata.ResourceVersion, list.Metadata.ContinueProperty);
        },
        (rv, onError, ct) => client.ResourceV1.WatchListResourceClaimTemplateForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: WatchSeconds, onError: onError, cancellationToken: ct),
        time);

    private static ResourceSource<T> Tolerant<T>(
        string kind,
        Func<string?, CancellationToken, Task<ListPage<T>>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        TimeProvider time)
    {
        var missing = false;
        return new ResourceSource<T>(
            kind,
            async (token, ct) =>
            {
                try
                {
                    var page = await list(token, ct).ConfigureAwait(false);
                    missing = false;
                    return page;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
                {
                    missing = true;
                    return new ListPage<T>([], string.Empty, null);
                }
            },
            (rv, onError, ct) => missing ? Absent<T>(kind, time, ct) : watch(rv, onError, ct));
    }

    private static async IAsyncEnumerable<(WatchEventType, T)> Absent<T>(string kind, TimeProvider time, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromMinutes(1), time, ct).ConfigureAwait(false);
        throw new InvalidOperationException($"resource.k8s.io/v1 {kind} is not served (Kubernetes before 1.34, or no grant); looking again");
#pragma warning disable CS0162 // an iterator needs a yield to be one
        yield break;
#pragma warning restore CS0162
    }
}
