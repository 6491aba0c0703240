using System.Globalization;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Every write Berth makes to the API server, behind one narrow surface: bind a pod (its GPU assignment
/// travels as annotations on the binding, which the API server copies onto the pod), change a Job with
/// read-modify-write retried on <c>409 Conflict</c>, evict a pod through the Eviction API (which honours
/// PodDisruptionBudgets), mark a pod unschedulable, write the status of Berth's own objects, record events.
/// </summary>
public sealed class ClusterWriter
{
    private const int ConflictRetries = 5;
    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _eventSequence;

    public ClusterWriter(IKubernetes client, TimeProvider time, ILogger logger)
    {
        _client = client;
        _time = time;
        _logger = logger;
    }

    /// <summary>Writes pods' DRA claims (creation from templates, allocation, reservation) before their bindings.</summary>
    public Dra.ClaimWriter Claims => _claims ??= new Dra.ClaimWriter(_client, _logger);

    private Dra.ClaimWriter? _claims;

    /// <summary>Conflicts met and retried (for tests and metrics).</summary>
    public int ConflictsRetried { get; private set; }

    /// <summary>Binds <paramref name="pod"/> to <paramref name="node"/>. False when the pod is gone or already bound (a <c>409</c> or <c>404</c>): nothing is bound twice.</summary>
    public async Task<bool> BindAsync(string ns, string pod, string node, IReadOnlyDictionary<string, string> annotations, CancellationToken cancellationToken)
    {
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = ns, Annotations = annotations.ToDictionary(StringComparer.Ordinal) },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = node },
        };
        try
        {
            await _client.CoreV1.CreateNamespacedPodBindingAsync(binding, pod, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            _logger.LogInformation("binding {Namespace}/{Pod} to {Node}: {Status}; left as it is", ns, pod, node, e.Response.StatusCode);
            return false;
        }
    }

    /// <summary>
    /// Reads the Job, applies <paramref name="mutate"/> (which returns false when nothing needs to change) and
    /// writes it back with its resource version; on a conflict reads again and retries. Returns the written Job,
    /// or null when it is gone or needed no change.
    /// </summary>
    public async Task<V1Job?> UpdateJobAsync(string ns, string name, Func<V1Job, bool> mutate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        for (var attempt = 0; ; attempt++)
        {
            V1Job job;
            try
            {
                job = await _client.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!mutate(job))
            {
                return null;
            }

            try
            {
                return await _client.BatchV1.ReplaceNamespacedJobAsync(job, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < ConflictRetries)
            {
                ConflictsRetried++;
                _logger.LogInformation("job {Namespace}/{Name} changed under us; reading it again", ns, name);
            }
        }
    }

    /// <summary>
    /// Reads a job framework's object as JSON, applies <paramref name="mutate"/> (false: nothing to change) and writes it
    /// back with its resource version, retrying on a conflict as <see cref="UpdateJobAsync"/> does. Returns the written
    /// object's resource version, or null when it is gone or needed no change.
    /// </summary>
    public async Task<string?> UpdateFrameworkAsync(Frameworks.Framework framework, string ns, string name, Func<System.Text.Json.Nodes.JsonObject, bool> mutate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(framework);
        ArgumentNullException.ThrowIfNull(mutate);
        for (var attempt = 0; ; attempt++)
        {
            System.Text.Json.Nodes.JsonObject obj;
            try
            {
                var body = await _client.CustomObjects.GetNamespacedCustomObjectAsync(framework.Group, framework.Version, ns, framework.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
                obj = System.Text.Json.Nodes.JsonNode.Parse(((JsonElement)body).GetRawText())!.AsObject();
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!mutate(obj))
            {
                return null;
            }

            try
            {
                var written = await _client.CustomObjects.ReplaceNamespacedCustomObjectAsync(obj, framework.Group, framework.Version, ns, framework.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
                return written is JsonElement body && body.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : string.Empty;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < ConflictRetries)
            {
                ConflictsRetried++;
                _logger.LogInformation("{Kind} {Namespace}/{Name} changed under us; reading it again", framework.Kind, ns, name);
            }
        }
    }

    /// <summary>Evicts a pod through the Eviction API. False when a PodDisruptionBudget refuses now (<c>429</c>); true when evicted or already gone.</summary>
    public async Task<bool> EvictAsync(string ns, string pod, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = ns } }, pod, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode == 429)
        {
            _logger.LogInformation("eviction of {Namespace}/{Pod} refused by a disruption budget; trying again later", ns, pod);
            return false;
        }
    }

    /// <summary>Sets the pod's <c>PodScheduled</c> condition to False with Berth's reason (strategic merge: other conditions stay).</summary>
    public async Task MarkUnschedulableAsync(string ns, string pod, string reason, string message, CancellationToken cancellationToken)
    {
        var patch = new
        {
            status = new
            {
                conditions = new[]
                {
                    new { type = "PodScheduled", status = "False", reason, message, lastTransitionTime = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) },
                },
            },
        };
        await IgnoreMissing(_client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.StrategicMergePatch), pod, ns, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Sets Berth's GPU-health condition on a node (strategic merge on its status: the kubelet's conditions stay).</summary>
    public async Task SetNodeConditionAsync(NodeConditionAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        var patch = new
        {
            status = new
            {
                conditions = new[]
                {
                    new { type = KubernetesNames.GpuHealthCondition, status = action.Healthy ? "True" : "False", reason = action.Reason, message = action.Message, lastTransitionTime = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) },
                },
            },
        };
        try
        {
            await _client.CoreV1.PatchNodeStatusAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.StrategicMergePatch), action.Node, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            // Best effort, as events: the capacity is withheld whether or not the condition is written.
            _logger.LogWarning("GPU-health condition on node {Node} not written: {Status}", action.Node, e.Response.StatusCode);
        }
    }

    /// <summary>
    /// Puts the condition <see cref="Api.ConditionTypes.ActionRefused"/> (True, with <paramref name="message"/>) on a
    /// workload whose write the API server refused for good: a Job or a pod through its <c>/status</c> (strategic merge:
    /// other conditions stay), a PodGroup through its <c>/status</c> with its other conditions (<paramref name="currentConditions"/>,
    /// as the cache has them: Berth reads PodGroups only through its watch) kept. Best effort, as events:
    /// false when it could not be written (the object is gone, or its status is refused too).
    /// </summary>
    public async Task<bool> MarkRefusedAsync(V1ObjectReference about, string reason, string message, IEnumerable<V1Condition>? currentConditions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(about);
        var now = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var condition = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = Api.ConditionTypes.ActionRefused,
            ["status"] = "True",
            ["reason"] = reason,
            ["message"] = message.Length > 1024 ? message[..1024] : message,
            ["lastTransitionTime"] = now,
        };
        try
        {
            switch (about.Kind)
            {
                case "Job":
                    condition["lastProbeTime"] = now;
                    await _client.BatchV1.PatchNamespacedJobStatusAsync(StatusConditions(condition, V1Patch.PatchType.StrategicMergePatch), about.Name, about.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return true;
                case "Pod":
                    await _client.CoreV1.PatchNamespacedPodStatusAsync(StatusConditions(condition, V1Patch.PatchType.StrategicMergePatch), about.Name, about.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return true;
                case Api.PodGroup.KubeKind:
                    // Custom resources take no strategic merge: the whole list, with the group's other conditions kept.
                    var conditions = new System.Text.Json.Nodes.JsonArray();
                    foreach (var c in currentConditions ?? [])
                    {
                        if (c is not null && c.Type != Api.ConditionTypes.ActionRefused)
                        {
                            conditions.Add(System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(c)));
                        }
                    }

                    conditions.Add(condition);
                    var body = new System.Text.Json.Nodes.JsonObject { ["status"] = new System.Text.Json.Nodes.JsonObject { ["conditions"] = conditions } };
                    await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch), KubernetesNames.Group, KubernetesNames.Version, about.NamespaceProperty, Api.PodGroup.KubePluralName, about.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return true;
                default:
                    return false;
            }
        }
        catch (HttpOperationException e)
        {
            _logger.LogWarning("condition {Type} on {Kind} {Namespace}/{Name} not written: {Status}", Api.ConditionTypes.ActionRefused, about.Kind, about.NamespaceProperty, about.Name, e.Response.StatusCode);
            return false;
        }
    }

    private static V1Patch StatusConditions(System.Text.Json.Nodes.JsonObject condition, V1Patch.PatchType type) =>
        new(new System.Text.Json.Nodes.JsonObject { ["status"] = new System.Text.Json.Nodes.JsonObject { ["conditions"] = new System.Text.Json.Nodes.JsonArray(condition) } }.ToJsonString(), type);

    /// <summary>Merges <paramref name="annotations"/> into an object's annotations (null values remove keys).</summary>
    /// <summary>Sets (or, for null, removes) annotations on a pod (a merge patch of its metadata). False when the pod is gone.</summary>
    public async Task<bool> PatchPodAnnotationsAsync(string ns, string pod, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(JsonSerializer.Serialize(new { metadata = new { annotations } }), V1Patch.PatchType.MergePatch);
        try
        {
            await _client.CoreV1.PatchNamespacedPodAsync(patch, pod, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false; // gone meanwhile: nothing left to checkpoint or annotate
        }
    }

    public async Task<string?> PatchCustomAnnotationsAsync(string plural, string? ns, string name, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(JsonSerializer.Serialize(new { metadata = new { annotations } }), V1Patch.PatchType.MergePatch);
        try
        {
            var written = await (ns is null
                ? _client.CustomObjects.PatchClusterCustomObjectAsync(patch, KubernetesNames.Group, KubernetesNames.Version, plural, name, cancellationToken: cancellationToken)
                : _client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, KubernetesNames.Group, KubernetesNames.Version, ns, plural, name, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return written is JsonElement body && body.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null; // gone meanwhile: the next decision no longer sees it
        }
    }

    /// <summary>Adds an explicit null for every field of Berth's own status types that serialisation left out, nested objects included.</summary>
    private static void NameEveryField(object value, System.Text.Json.Nodes.JsonObject node)
    {
        foreach (var (property, name) in JsonFields.GetOrAdd(value.GetType(), FieldsOf))
        {
            var inner = property.GetValue(value);
            if (!node.ContainsKey(name))
            {
                node[name] = null;
            }
            else if (inner is not null && property.PropertyType.Namespace == typeof(Api.QueueStatus).Namespace && node[name] is System.Text.Json.Nodes.JsonObject child)
            {
                NameEveryField(inner, child);
            }
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (System.Reflection.PropertyInfo Property, string Name)[]> JsonFields = new();

    private static (System.Reflection.PropertyInfo, string)[] FieldsOf(Type type) => type.GetProperties()
        .Select(p => (p, Attribute: p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false).FirstOrDefault() as System.Text.Json.Serialization.JsonPropertyNameAttribute))
        .Where(x => x.Attribute is not null)
        .Select(x => (x.p, x.Attribute!.Name))
        .ToArray();

    /// <summary>Writes the status of one of Berth's objects (merge patch on the status subresource).</summary>
    public Task PatchCustomStatusAsync(string plural, string? ns, string name, object status, CancellationToken cancellationToken)
    {
        // A merge patch deletes a field only when it says null: name every field of the status, so what the planner
        // clears (a pending reason once admitted, a queue position) goes from the object.
        var body = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(status))!.AsObject();
        NameEveryField(status, body);
        var patch = new V1Patch(new System.Text.Json.Nodes.JsonObject { ["status"] = body }.ToJsonString(), V1Patch.PatchType.MergePatch);
        return IgnoreMissing(ns is null
            ? _client.CustomObjects.PatchClusterCustomObjectStatusAsync(patch, KubernetesNames.Group, KubernetesNames.Version, plural, name, cancellationToken: cancellationToken)
            : _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, KubernetesNames.Group, KubernetesNames.Version, ns, plural, name, cancellationToken: cancellationToken));
    }

    /// <summary>Records a core/v1 Event about an object (cluster-scoped objects' events go to the <c>default</c> namespace).</summary>
    public async Task RecordEventAsync(V1ObjectReference about, string type, string reason, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(about);
        var now = _time.GetUtcNow().UtcDateTime;
        var ns = string.IsNullOrEmpty(about.NamespaceProperty) ? "default" : about.NamespaceProperty;
        var sequence = Interlocked.Increment(ref _eventSequence);
        var e = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{about.Name}.{now.Ticks:x}{sequence:x}", NamespaceProperty = ns },
            InvolvedObject = about,
            Type = type,
            Reason = reason,
            Message = message.Length > 1024 ? message[..1024] : message,
            Source = new V1EventSource { Component = KubernetesNames.SchedulerName },
            ReportingComponent = KubernetesNames.SchedulerName,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await _client.CoreV1.CreateNamespacedEventAsync(e, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex)
        {
            // Events are best effort: a lost event must never stop a decision.
            _logger.LogWarning("event {Reason} on {Kind} {Name} not recorded: {Status}", reason, about.Kind, about.Name, ex.Response.StatusCode);
        }
    }

    private static async Task IgnoreMissing(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // the object went away between the snapshot and the write: nothing to do
        }
    }
}
