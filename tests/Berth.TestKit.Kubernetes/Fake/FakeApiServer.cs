// FakeApiServer: an in-process Kubernetes API server for tests, on a loopback port, driven by the real KubernetesClient.
//
// Faithful to the real protocol:
//   - Routes: /api/v1/... and /apis/{group}/{version}/..., namespaced and cluster-scoped, the all-namespaces list
//     (/api/v1/pods), subresources pods/binding, pods/eviction and {plural}/status; minimal discovery
//     (/version, /api, /apis, /api/v1, /apis/{g}, /apis/{g}/{v}).
//   - Built-in resources: nodes, pods, events, namespaces (core v1), jobs (batch/v1), deployments and statefulsets (apps/v1; stored only: no
//     scale subresource, nothing makes their pods), poddisruptionbudgets
//     (policy/v1), configmaps (v1), leases (coordination.k8s.io/v1), priorityclasses (scheduling.k8s.io/v1), events (events.k8s.io/v1); plus any custom resource in the options.
//   - JSON objects stored by (group, version, plural, namespace, name); one global, monotonically increasing
//     resourceVersion (like etcd's revision) stamped on every write; uid, creationTimestamp and generation set on
//     create; generation bumped when anything but metadata and status changes; a write that changes nothing gets no
//     new resourceVersion and no event.
//   - Verbs: get, list (labelSelector with =, ==, !=, exists, !exists, in, notin, >, <; fieldSelector with the field
//     labels the real server supports per resource, 400 otherwise; limit/continue paging with real-shaped tokens and
//     remainingItemCount), create (201; 409 AlreadyExists; generateName; name validation), update (409 Conflict when
//     metadata.resourceVersion is stale; unconditional when it is empty), patch (merge, JSON patch, strategic merge
//     on built-ins only — custom resources answer 415 as the real server does), delete (pods return the object,
//     others a Success Status; preconditions; finalizers keep the object with deletionTimestamp until an update
//     removes the last one).
//   - Create strategies: pods start Pending and default spec.schedulerName; job, PDB and custom-resource status is
//     reset; namespaces start Active. Status subresource: the main resource ignores .status, /status changes only it.
//   - Errors are Status bodies with the real codes, reasons and messages (NotFound, AlreadyExists, Conflict, Invalid,
//     BadRequest, TooManyRequests, Expired, MethodNotAllowed, UnsupportedMediaType).
//   - Watch (watch=true|1): 200, chunked application/json, one {"type","object"} per line, flushed per event; from a
//     resourceVersion R it replays every kept event after R, then streams live ones; without one (or "0") it sends
//     ADDED for every current object first; selectors turn an object that starts/stops matching into ADDED/DELETED;
//     a too-old R gets one ERROR event with a 410 Expired Status and the stream ends; timeoutSeconds ends it cleanly;
//     allowWatchBookmarks gets BOOKMARK events (periodic if options.BookmarkInterval is set, or via SendBookmarks).
//   - pods/binding: sets spec.nodeName, copies the binding's annotations, sets PodScheduled=True; 409 when the pod
//     already has a node, is being deleted or has scheduling gates; returns a 201 Success Status.
//   - pods/eviction: the PodDisruptionBudget check of the real eviction subresource (see DisruptionBudgets); 429
//     with a DisruptionBudget cause when refused, else the pod is deleted and a 201 Success Status returned.
//   - Admission webhooks (AddAdmissionWebhook): a test-side validating hook sees each write and may deny it; the
//     client gets the Status the real server builds from a webhook's denial (code, reason, "admission webhook ...
//     denied the request: ..."). The hook sees the request body, not the object after defaulting or patching.
//   - Watch lag (DelayBindingEvents): the events of pods whose binding was accepted are held back from open watches
//     until released (one object's events keep their order; across objects they are reordered, which a single real
//     watch stream would not do, but which the real watch cache's lag between resources and replicas can).
//   - Leases are plain stored objects with optimistic concurrency, which is all LeaderElector/LeaseLock need.
//
// Simplified (know these when a test passes here but would fail on a cluster, or the reverse):
//   - No authentication, admission, defaulting (beyond schedulerName) or schema validation; unknown fields are kept.
//   - Namespaces need not exist; deleting one deletes nothing inside it. Core and events.k8s.io Events are stored
//     separately. Pods are deleted at once (no graceful termination, no kubelet); nothing runs controllers (jobs never
//     start pods, PDB status is never computed — eviction computes it on the spot).
//   - Lists always read the current state; a continue token resumes after its last key in the current state rather
//     than in a snapshot at the token's resourceVersion (an expired token is still a 410). resourceVersion and
//     resourceVersionMatch on get/list are ignored. A watch from a resourceVersion newer than the store's waits.
//   - Strategic merge patch merges the well-known list fields by key (conditions by type, containers by name, ...)
//     by field name alone, and ignores $setElementOrder/$retainKeys; everything else behaves as a merge patch.
//     Server-side apply (application/apply-patch+yaml), deletecollection, sendInitialEvents and the legacy /watch/
//     paths are not served (415, 405, ignored, 404).
//   - HTTP/1.1 over plain loopback http only.
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// An in-process fake Kubernetes API server on a loopback port that speaks the real JSON and watch protocol, for
/// testing Berth's Kubernetes adapter with the real <c>KubernetesClient</c>. See the comment at the top of this file
/// for what it implements and what it simplifies. Thread-safe; dispose it to stop it.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ResourceRegistry registry;
    private readonly ObjectStore store;
    private readonly ObjectOperations operations;
    private readonly FaultInjector faults;
    private readonly AdmissionHooks admission;
    private readonly CancellationTokenSource stopping;

    private FakeApiServer(
        WebApplication app,
        Uri baseAddress,
        ResourceRegistry registry,
        ObjectStore store,
        ObjectOperations operations,
        FaultInjector faults,
        AccessReviews access,
        AdmissionHooks admission,
        CancellationTokenSource stopping)
    {
        Access = access;
        this.app = app;
        BaseAddress = baseAddress;
        this.registry = registry;
        this.store = store;
        this.operations = operations;
        this.faults = faults;
        this.admission = admission;
        this.stopping = stopping;
    }

    /// <summary>Answers to TokenReview and SubjectAccessReview: register tokens and grants here.</summary>
    public AccessReviews Access { get; }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The newest resourceVersion the server has handed out ("0" before the first write).</summary>
    public string ResourceVersion => store.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many watch streams are open now.</summary>
    public int WatchCount => store.WatchCount;

    /// <summary>Every successful pod binding, in order.</summary>
    public IReadOnlyList<BindingRecord> Bindings => operations.Bindings;

    /// <summary>Starts a server on a free loopback port.</summary>
    public static async Task<FakeApiServer> StartAsync(FakeApiServerOptions? options = null)
    {
        options ??= new FakeApiServerOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.HistoryLimit);
        var registry = new ResourceRegistry(options.CustomResources);
        var store = new ObjectStore(options.HistoryLimit);
        var operations = new ObjectOperations(store, registry, options.TimeProvider);
        var faults = new FaultInjector();
        var admission = new AdmissionHooks();
        var stopping = new CancellationTokenSource();
        var access = new AccessReviews();
        var handler = new ApiRequestHandler(registry, store, operations, faults, access, admission, options.BookmarkInterval, stopping.Token);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Single();
        return new FakeApiServer(app, new Uri(address.TrimEnd('/') + "/"), registry, store, operations, faults, access, admission, stopping);
    }

    /// <summary>A real client for this server (plain http, no credentials). The caller disposes it.</summary>
    public k8s.Kubernetes CreateClient() =>
        new(new KubernetesClientConfiguration { Host = BaseAddress.ToString() });

    /// <summary>Aborts every open watch connection mid-stream, as an API server restart would; clients must re-watch.</summary>
    public void CutWatches() => store.CutWatches();

    /// <summary>Drops the whole watch history: a watch from any older resourceVersion now gets 410 Expired.</summary>
    public void CompactHistory() => store.Compact();

    /// <summary>
    /// Makes the watches lag behind bindings: from now on, the watch event of each binding the server accepts (and
    /// every later event of that pod) reaches no open watch until <see cref="ReleaseDelayedEvents"/>; other objects'
    /// events flow on. Gets and lists still read the current state. Off by default.
    /// </summary>
    public void DelayBindingEvents(bool on = true) => store.DelayBindings = on;

    /// <summary>Sends every held-back watch event, in order, and stops holding back the pods they are of.</summary>
    public void ReleaseDelayedEvents() => store.ReleaseHeldEvents();

    /// <summary>Watch events held back now (see <see cref="DelayBindingEvents"/>).</summary>
    public int DelayedEventCount => store.HeldEvents;

    /// <summary>Sends a BOOKMARK at the current resourceVersion on every watch opened with allowWatchBookmarks.</summary>
    public void SendBookmarks() => store.SendBookmarks();

    /// <summary>
    /// Makes the next <paramref name="times"/> requests for <paramref name="verb"/> on <paramref name="resourcePlural"/>
    /// fail with <paramref name="statusCode"/> and a Status body. Verbs: get, list, watch, create, update, patch,
    /// delete, deletecollection. The resource is the plural (<c>jobs</c>), or plural/subresource (<c>jobs/status</c>,
    /// <c>pods/binding</c>, <c>pods/eviction</c>).
    /// </summary>
    public void FailNext(string verb, string resourcePlural, int statusCode, int times = 1) =>
        faults.FailNext(verb, resourcePlural, statusCode, times);

    /// <summary>
    /// Registers a validating admission webhook: every create, update, patch and delete (after authentication and
    /// FailNext, before storage) is shown to <paramref name="review"/>, and a non-null <see cref="WebhookDenial"/> refuses
    /// it with the Status the real API server builds from a webhook's denial. Webhooks run in registration order; the
    /// first denial wins. Returns a handle that unregisters it when disposed.
    /// </summary>
    public IDisposable AddAdmissionWebhook(Func<AdmissionAttempt, WebhookDenial?> review) => admission.Add(review);

    /// <summary>How many requests arrived for the verb and resource (named as in <see cref="FailNext"/>), failed ones included.</summary>
    public int RequestCount(string verb, string resourcePlural) => faults.Count(verb, resourcePlural);

    /// <summary>Every (verb, resource) requested so far; resource as in <see cref="FailNext"/> (<c>pods/binding</c>).</summary>
    public IReadOnlyList<(string Verb, string Resource)> Requested() => faults.Requested();

    /// <summary>
    /// Puts an object straight into storage, creating or replacing it, with a new resourceVersion and an ADDED or
    /// MODIFIED event. Unlike a create through the API, status and spec.nodeName are kept as given (seed running pods,
    /// nodes with capacity, bound pods). The object is a typed model (<c>V1Pod</c>) or anything that serialises to a
    /// Kubernetes object; apiVersion and kind come from it or from its <see cref="KubernetesEntityAttribute"/>.
    /// </summary>
    /// <returns>The stored object, with uid, creationTimestamp and resourceVersion.</returns>
    public T Seed<T>(T obj)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(obj);
        var json = JsonNode.Parse(KubernetesJson.Serialize(obj)) as JsonObject
            ?? throw new ArgumentException("The object must serialise to a JSON object.", nameof(obj));
        var entity = obj.GetType().GetCustomAttribute<KubernetesEntityAttribute>();
        var apiVersion = JsonMeta.Text(json, "apiVersion") ?? EntityApiVersion(entity);
        var kind = JsonMeta.Text(json, "kind") ?? entity?.Kind;
        var resource = apiVersion is null || kind is null ? null : registry.FindKind(apiVersion, kind);
        if (resource is null)
        {
            throw new ArgumentException(
                $"No served resource has apiVersion '{apiVersion}' and kind '{kind}': set both on the object, and " +
                "register custom resources in FakeApiServerOptions.CustomResources.", nameof(obj));
        }

        return KubernetesJson.Deserialize<T>(operations.Seed(resource, json).ToJsonString());
    }

    /// <summary>Reads an object back as a typed model (the type needs a <see cref="KubernetesEntityAttribute"/>); null when absent.</summary>
    public T? Get<T>(string name, string? @namespace = null)
        where T : class
    {
        var resource = ResourceOf(typeof(T));
        var obj = store.Get(new ObjectKey(resource, NamespaceFor(resource, @namespace), name));
        return obj is null ? null : KubernetesJson.Deserialize<T>(obj.ToJsonString());
    }

    /// <summary>All objects of the type, in one namespace or (null) all, sorted by namespace then name.</summary>
    public IReadOnlyList<T> List<T>(string? @namespace = null)
        where T : class
    {
        var resource = ResourceOf(typeof(T));
        return store.List(resource, resource.Namespaced ? @namespace : null)
            .Select(entry => KubernetesJson.Deserialize<T>(entry.Object.ToJsonString()))
            .ToList();
    }

    /// <summary>Reads any object, custom resources included, as JSON (a copy); null when absent.</summary>
    public JsonObject? GetObject(string group, string version, string plural, string name, string? @namespace = null)
    {
        var resource = registry.Find(group, version, plural)
            ?? throw new ArgumentException($"No served resource {plural} in {group}/{version}.", nameof(plural));
        return store.Get(new ObjectKey(resource, NamespaceFor(resource, @namespace), name));
    }

    /// <summary>Every object of a resource, custom resources included, as JSON (copies), sorted by namespace then name.</summary>
    public IReadOnlyList<JsonObject> ListObjects(string group, string version, string plural)
    {
        var resource = registry.Find(group, version, plural)
            ?? throw new ArgumentException($"No served resource {plural} in {group}/{version}.", nameof(plural));
        return store.List(resource, null).Select(entry => (JsonObject)entry.Object.DeepClone()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
        stopping.Dispose();
    }

    private static string? EntityApiVersion(KubernetesEntityAttribute? entity) =>
        entity is null ? null : string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : entity.Group + "/" + entity.ApiVersion;

    private static string NamespaceFor(ResourceDefinition resource, string? @namespace)
    {
        if (!resource.Namespaced)
        {
            return "";
        }

        return string.IsNullOrEmpty(@namespace)
            ? throw new ArgumentException($"{resource.Kind} is namespaced: pass a namespace.", nameof(@namespace))
            : @namespace;
    }

    private ResourceDefinition ResourceOf(Type type)
    {
        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException(
                $"{type.Name} has no [KubernetesEntity] attribute; use GetObject for untyped resources.", nameof(type));
        return registry.Find(entity.Group ?? "", entity.ApiVersion, entity.PluralName)
            ?? throw new ArgumentException(
                $"No served resource {entity.PluralName} in {EntityApiVersion(entity)}; register it in FakeApiServerOptions.CustomResources.",
                nameof(type));
    }
}
