using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.Views;

/// <summary>
/// Who may read the operator's dashboard and visibility API, decided by the API server as for <c>/metrics</c>
/// (<see cref="Operator.MetricsAuthorizer"/>), but per resource so that a user sees only what their RBAC already
/// lets them see:
/// <list type="number">
/// <item>the bearer token goes to a TokenReview; no token or a rejected one is 401;</item>
/// <item>a user who may <c>list</c> <c>queues.berth.dev</c> (cluster-scoped, so only through a ClusterRole) sees every
/// queue and every workload: an administrator's view;</item>
/// <item>otherwise the user sees the namespaces in which they may <c>list</c> <c>pods</c> (asked once for all
/// namespaces, then namespace by namespace), their workloads, and the queues those namespaces may use
/// (a Queue's <c>namespaceSelector</c>); a user with no such namespace is 403.</item>
/// </list>
/// Answers are kept for <see cref="CacheFor"/> per token (on the injected clock), as the API server's own webhook
/// token authenticator caches, so a dashboard that polls does not cost a review per namespace per request; a revoked
/// token or a removed RoleBinding therefore takes effect within that time; the cache keys are hashes of the tokens,
/// never the tokens. When the API server cannot be asked the answer is 503 and nothing is cached. Thread-safe.
/// </summary>
public sealed class ViewerAuthorizer(IKubernetes client, TimeProvider time)
{
    private const int MaxCached = 1024;
    private const int ParallelReviews = 8;
    private readonly ConcurrentDictionary<string, (ViewerAccess Access, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>How long an answer is reused for the same token (default 10 s).</summary>
    public TimeSpan CacheFor { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Decides for the <c>Authorization</c> header <paramref name="authorization"/>; <paramref name="namespaces"/> are
    /// the cluster's namespaces (from the operator's cache), the ones a namespace viewer may be given.
    /// </summary>
    public async Task<ViewerAccess> AuthorizeAsync(string? authorization, IEnumerable<string> namespaces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(namespaces);
        const string Bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || authorization.Length == Bearer.Length)
        {
            return ViewerAccess.Unauthorized("send a Kubernetes bearer token: Authorization: Bearer $(kubectl create token <service-account>), or your kubeconfig user's token");
        }

        var token = authorization[Bearer.Length..].Trim();
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Access;
        }

        ViewerAccess access;
        try
        {
            access = await DecideAsync(token, namespaces, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ViewerAccess(503, null, $"the API server could not check the token ({e.Message}); try again shortly");
        }

        if (_cache.Count >= MaxCached)
        {
            foreach (var stale in _cache.Where(e => e.Value.Until <= now).Select(e => e.Key).ToArray())
            {
                _cache.TryRemove(stale, out _);
            }

            if (_cache.Count >= MaxCached)
            {
                _cache.Clear(); // many live tokens at once: start again rather than grow without bound
            }
        }

        _cache[key] = (access, now + CacheFor);
        return access;
    }

    private async Task<ViewerAccess> DecideAsync(string token, IEnumerable<string> namespaces, CancellationToken cancellationToken)
    {
        if (await Operator.AccessReviews.UserAsync(client, token, cancellationToken).ConfigureAwait(false) is not { } user)
        {
            return ViewerAccess.Unauthorized("the API server did not accept this token (expired, revoked or from another cluster); get a fresh one, e.g. kubectl create token <service-account>");
        }

        var groups = (IReadOnlyList<string>?)user.Groups?.ToArray() ?? [];
        if (await MayAsync(user, "list", KubernetesNames.Group, Api.Queue.KubePluralName, null, cancellationToken).ConfigureAwait(false))
        {
            return ViewerAccess.Allowed(new Viewer(user.Username, groups, EveryQueue: true, new HashSet<string>(StringComparer.Ordinal)));
        }

        var all = namespaces.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        HashSet<string> allowed;
        if (await MayAsync(user, "list", string.Empty, "pods", string.Empty, cancellationToken).ConfigureAwait(false))
        {
            allowed = new HashSet<string>(all, StringComparer.Ordinal);
        }
        else
        {
            allowed = new HashSet<string>(StringComparer.Ordinal);
            var lockObject = new object();
            await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = ParallelReviews, CancellationToken = cancellationToken }, async (ns, ct) =>
            {
                if (await MayAsync(user, "list", string.Empty, "pods", ns, ct).ConfigureAwait(false))
                {
                    lock (lockObject)
                    {
                        allowed.Add(ns);
                    }
                }
            }).ConfigureAwait(false);
        }

        return allowed.Count == 0
            ? ViewerAccess.Forbidden($"user {user.Username} may neither list queues.{KubernetesNames.Group} nor list pods in any namespace; grant the ClusterRole berth-viewer for every queue, or a Role that lists pods in your namespace (docs/KUBERNETES.md, The dashboard)")
            : ViewerAccess.Allowed(new Viewer(user.Username, groups, EveryQueue: false, allowed));
    }

    /// <summary>One SubjectAccessReview for the user; <paramref name="ns"/> null for a cluster-scoped resource, empty for all namespaces.</summary>
    private Task<bool> MayAsync(V1UserInfo user, string verb, string group, string resource, string? ns, CancellationToken cancellationToken) =>
        Operator.AccessReviews.AllowedAsync(client, user, new V1ResourceAttributes { Verb = verb, Group = group, Resource = resource, NamespaceProperty = ns }, null, cancellationToken);
}
