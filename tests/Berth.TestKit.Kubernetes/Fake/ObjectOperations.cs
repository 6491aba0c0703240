using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// What the API server's registry does between the HTTP layer and storage: create, update, patch and delete with
/// the real strategies (server-owned metadata, status subresources, optimistic concurrency, finalizers), plus the
/// pod binding and eviction subresources. Each operation runs under the store's lock, so a read-check-write is atomic.
/// </summary>
internal sealed partial class ObjectOperations(ObjectStore store, ResourceRegistry registry, TimeProvider time)
{
    private const string GeneratedNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private static readonly string[] ServerOwnedMetadata =
    [
        "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
    ];

    private readonly List<BindingRecord> bindings = [];

    public IReadOnlyList<BindingRecord> Bindings
    {
        get
        {
            lock (store.Gate)
            {
                return bindings.ToArray();
            }
        }
    }

    public ApiResult Get(ObjectKey key) =>
        store.Get(key) is { } obj ? new ApiResult(200, obj) : ApiStatus.NotFound(key.Resource, key.Name);

    public ApiResult Create(ResourceDefinition resource, string? @namespace, JsonObject body)
    {
        if (CheckTypeMeta(resource, body) is { } typeError)
        {
            return typeError;
        }

        var metadata = JsonMeta.Metadata(body);
        if (resource.Namespaced)
        {
            var bodyNamespace = JsonMeta.Namespace(body);
            if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != @namespace)
            {
                return ApiStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = @namespace;
        }
        else
        {
            metadata.Remove("namespace");
        }

        if (!string.IsNullOrEmpty(JsonMeta.ResourceVersion(body)))
        {
            return ApiStatus.InternalError("resourceVersion should not be set on objects to be created");
        }

        lock (store.Gate)
        {
            var name = JsonMeta.Name(body);
            if (string.IsNullOrEmpty(name) && JsonMeta.Text(body, "metadata.generateName") is { Length: > 0 } prefix)
            {
                name = prefix + GeneratedSuffix(store.NextSequence());
                metadata["name"] = name;
            }

            if (string.IsNullOrEmpty(name))
            {
                return ApiStatus.Invalid(resource, "", "metadata.name", "Required value: name or generateName is required");
            }

            if (name.Length > 253 || !Rfc1123Subdomain().IsMatch(name))
            {
                return ApiStatus.Invalid(resource, name, "metadata.name",
                    $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric " +
                    "characters, '-' or '.', and must start and end with an alphanumeric character");
            }

            var key = new ObjectKey(resource, @namespace ?? "", name);
            if (store.Get(key) is not null)
            {
                return ApiStatus.AlreadyExists(resource, name);
            }

            ApplyCreateStrategy(resource, body);
            metadata["uid"] = NewUid();
            metadata["creationTimestamp"] = JsonMeta.Timestamp(time);
            metadata["generation"] = 1;
            metadata.Remove("deletionTimestamp");
            metadata.Remove("deletionGracePeriodSeconds");
            return new ApiResult(201, store.Write(key, body));
        }
    }

    /// <summary>PUT on the object (<paramref name="statusOnly"/> false) or on its <c>/status</c>.</summary>
    public ApiResult Update(ObjectKey key, JsonObject body, bool statusOnly)
    {
        lock (store.Gate)
        {
            var old = store.Get(key);
            return old is null ? ApiStatus.NotFound(key.Resource, key.Name) : Commit(key, old, body, statusOnly);
        }
    }

    public ApiResult Patch(ObjectKey key, string mediaType, JsonNode? patch, bool statusOnly)
    {
        lock (store.Gate)
        {
            var old = store.Get(key);
            if (old is null)
            {
                return ApiStatus.NotFound(key.Resource, key.Name);
            }

            JsonNode? patched;
            switch (mediaType)
            {
                case "application/merge-patch+json":
                    patched = MergePatch.Apply(old, patch, strategic: false);
                    break;
                case "application/strategic-merge-patch+json" when key.Resource.BuiltIn:
                    patched = MergePatch.Apply(old, patch, strategic: true);
                    break;
                case "application/strategic-merge-patch+json":
                    return ApiStatus.UnsupportedMediaType(
                        "the body of the request was in an unknown format - accepted media types include: " +
                        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
                case "application/json-patch+json":
                    if (patch is not JsonArray operations)
                    {
                        return ApiStatus.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
                    }

                    (patched, var error) = JsonPatch.Apply(old, operations);
                    if (error is not null)
                    {
                        return ApiStatus.Unprocessable(error);
                    }

                    break;
                case "application/apply-patch+yaml":
                    return ApiStatus.UnsupportedMediaType("server-side apply is not implemented by FakeApiServer");
                default:
                    return ApiStatus.UnsupportedMediaType(
                        $"the body of the request was in an unknown format - accepted media types include: " +
                        "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
            }

            return patched is JsonObject candidate
                ? Commit(key, old, candidate, statusOnly)
                : ApiStatus.BadRequest("the patch did not produce an object");
        }
    }

    /// <summary>
    /// Deletes at once, or, while finalizers remain, marks the object with deletionTimestamp and keeps it until an
    /// update removes the last finalizer. Pods answer with the object, other resources with a Success status.
    /// </summary>
    public ApiResult Delete(ObjectKey key, JsonObject? options)
    {
        lock (store.Gate)
        {
            var old = store.Get(key);
            if (old is null)
            {
                return ApiStatus.NotFound(key.Resource, key.Name);
            }

            var wantedUid = JsonMeta.Text(options, "preconditions.uid");
            var uid = JsonMeta.Uid(old);
            if (!string.IsNullOrEmpty(wantedUid) && wantedUid != uid)
            {
                return ApiStatus.Conflict(key.Resource.QualifiedName, key.Resource, key.Name,
                    $"Precondition failed: UID in precondition: {wantedUid}, UID in object meta: {uid}");
            }

            var wantedVersion = JsonMeta.Text(options, "preconditions.resourceVersion");
            var version = JsonMeta.ResourceVersion(old);
            if (!string.IsNullOrEmpty(wantedVersion) && wantedVersion != version)
            {
                return ApiStatus.Conflict(key.Resource.QualifiedName, key.Resource, key.Name,
                    $"Precondition failed: ResourceVersion in precondition: {wantedVersion}, ResourceVersion in meta: {version}");
            }

            if (JsonMeta.HasFinalizers(old))
            {
                if (JsonMeta.IsBeingDeleted(old))
                {
                    return new ApiResult(200, old);
                }

                var marked = (JsonObject)old.DeepClone();
                JsonMeta.Metadata(marked)["deletionTimestamp"] = JsonMeta.Timestamp(time);
                JsonMeta.Metadata(marked)["deletionGracePeriodSeconds"] = 0;
                return new ApiResult(200, store.Write(key, marked));
            }

            var removed = store.Remove(key, old);
            if (key.Resource.Is("", "pods"))
            {
                return new ApiResult(200, removed);
            }

            var details = ApiStatus.Details(key.Resource, key.Name);
            details["uid"] = uid;
            return ApiStatus.Success(200, details);
        }
    }

    /// <summary>
    /// POST pods/{name}/binding: sets spec.nodeName once, copies the binding's annotations, and sets PodScheduled=True.
    /// A pod that already has a node, is being deleted or still has scheduling gates is a 409, as on the real server.
    /// </summary>
    public ApiResult Bind(ObjectKey podKey, JsonObject binding)
    {
        var pods = podKey.Resource;
        var name = podKey.Name;
        if (JsonMeta.Name(binding) is { Length: > 0 } bindingName && bindingName != name)
        {
            return ApiStatus.BadRequest("name in URL does not match name in Binding object");
        }

        var node = JsonMeta.Text(binding, "target.name");
        if (string.IsNullOrEmpty(node))
        {
            return ApiStatus.Invalid(pods, name, "target.name", "Required value");
        }

        if (JsonMeta.Text(binding, "target.kind") is { Length: > 0 } kind && kind != "Node")
        {
            return ApiStatus.Invalid(pods, name, "target.kind", $"Unsupported value: \"{kind}\": supported values: \"Node\"");
        }

        lock (store.Gate)
        {
            var pod = store.Get(podKey);
            if (pod is null)
            {
                return ApiStatus.NotFound(pods, name);
            }

            var why = BindingRefusal(pod, binding, name);
            if (why is not null)
            {
                return ApiStatus.Conflict("pods/binding", pods, name, why);
            }

            var bound = (JsonObject)pod.DeepClone();
            var spec = bound["spec"] as JsonObject ?? new JsonObject();
            bound["spec"] = spec;
            spec["nodeName"] = node;
            if (binding["metadata"]?["annotations"] is JsonObject annotations)
            {
                var target = JsonMeta.Metadata(bound)["annotations"] as JsonObject ?? new JsonObject();
                JsonMeta.Metadata(bound)["annotations"] = target;
                foreach (var (annotation, value) in annotations)
                {
                    target[annotation] = value?.DeepClone();
                }
            }

            SetCondition(bound, "PodScheduled", "True");
            store.WriteBinding(podKey, bound);
            bindings.Add(new BindingRecord(podKey.Namespace, name, node));
            return ApiStatus.Success(201);
        }
    }

    /// <summary>POST pods/{name}/eviction: deletes the pod unless a PodDisruptionBudget forbids it (429).</summary>
    public ApiResult Evict(ObjectKey podKey, JsonObject eviction)
    {
        if (JsonMeta.Name(eviction) is { Length: > 0 } evictionName && evictionName != podKey.Name)
        {
            return ApiStatus.BadRequest("name in URL does not match name in Eviction object");
        }

        lock (store.Gate)
        {
            var pod = store.Get(podKey);
            if (pod is null)
            {
                return ApiStatus.NotFound(podKey.Resource, podKey.Name);
            }

            var budgets = registry.Find("policy", "v1", "poddisruptionbudgets")!;
            if (DisruptionBudgets.Check(store, budgets, podKey.Resource, pod) is { } refusal)
            {
                return refusal;
            }

            var deleted = Delete(podKey, eviction["deleteOptions"] as JsonObject);
            return deleted.IsSuccess ? ApiStatus.Success(201) : deleted;
        }
    }

    /// <summary>
    /// Puts an object straight into storage (create or replace), bypassing the create strategy: status, nodeName and
    /// the like are kept as given. Fills uid, creationTimestamp and generation when missing.
    /// </summary>
    public JsonObject Seed(ResourceDefinition resource, JsonObject obj)
    {
        var name = JsonMeta.Name(obj);
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("A seeded object needs metadata.name.", nameof(obj));
        }

        var @namespace = JsonMeta.Namespace(obj);
        if (resource.Namespaced && string.IsNullOrEmpty(@namespace))
        {
            throw new ArgumentException(
                $"{resource.Kind} \"{name}\" is namespaced: set metadata.namespace before seeding it.", nameof(obj));
        }

        lock (store.Gate)
        {
            var key = new ObjectKey(resource, resource.Namespaced ? @namespace! : "", name);
            var old = store.Get(key);
            var next = (JsonObject)obj.DeepClone();
            next["apiVersion"] = resource.ApiVersion;
            next["kind"] = resource.Kind;
            var metadata = JsonMeta.Metadata(next);
            if (!resource.Namespaced)
            {
                metadata.Remove("namespace");
            }

            metadata.Remove("resourceVersion");
            metadata["uid"] ??= old is null ? NewUid() : JsonMeta.Uid(old);
            metadata["creationTimestamp"] ??= old?["metadata"]?["creationTimestamp"]?.DeepClone() ?? JsonMeta.Timestamp(time);
            metadata["generation"] ??= old?["metadata"]?["generation"]?.DeepClone() ?? 1;
            if (old is not null)
            {
                metadata["resourceVersion"] = JsonMeta.ResourceVersion(old);
                if (JsonNode.DeepEquals(ObjectStore.Normalized(next), old))
                {
                    return old;
                }
            }

            return store.Write(key, next);
        }
    }

    /// <summary>
    /// The shared end of update and patch: optimistic concurrency, server-owned metadata, the status subresource
    /// split, generation, no-op detection (no new resourceVersion, no event) and finalizer completion.
    /// </summary>
    private ApiResult Commit(ObjectKey key, JsonObject old, JsonObject candidate, bool statusOnly)
    {
        var resource = key.Resource;
        if (CheckTypeMeta(resource, candidate) is { } typeError)
        {
            return typeError;
        }

        if (JsonMeta.Name(candidate) is { Length: > 0 } candidateName && candidateName != key.Name)
        {
            return ApiStatus.BadRequest(
                $"the name of the object ({candidateName}) does not match the name on the URL ({key.Name})");
        }

        if (resource.Namespaced && JsonMeta.Namespace(candidate) is { Length: > 0 } candidateNamespace &&
            candidateNamespace != key.Namespace)
        {
            return ApiStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var oldVersion = JsonMeta.ResourceVersion(old);
        if (JsonMeta.ResourceVersion(candidate) is { Length: > 0 } version && version != oldVersion)
        {
            return ApiStatus.Conflict(resource, key.Name);
        }

        JsonObject next;
        if (statusOnly)
        {
            next = (JsonObject)old.DeepClone();
            CopyField(candidate, next, "status");
        }
        else
        {
            next = (JsonObject)candidate.DeepClone();
            next["apiVersion"] = resource.ApiVersion;
            next["kind"] = resource.Kind;
            if (resource.HasStatusSubresource)
            {
                CopyField(old, next, "status");
            }

            var metadata = JsonMeta.Metadata(next);
            var oldMetadata = JsonMeta.Metadata(old);
            foreach (var field in ServerOwnedMetadata)
            {
                CopyField(oldMetadata, metadata, field);
            }

            if (JsonMeta.SpecChanged(old, next))
            {
                metadata["generation"] = JsonMeta.Generation(old) + 1;
            }
        }

        if (resource.Is("resource.k8s.io", "resourceclaims") && ResourceClaimStrategy.Validate(resource, key.Name, old, next) is { } claimError)
        {
            return claimError;
        }

        JsonMeta.Metadata(next)["resourceVersion"] = oldVersion;
        next = ObjectStore.Normalized(next);
        if (JsonNode.DeepEquals(next, old))
        {
            return new ApiResult(200, old);
        }

        if (JsonMeta.IsBeingDeleted(next) && !JsonMeta.HasFinalizers(next))
        {
            return new ApiResult(200, store.Remove(key, next));
        }

        return new ApiResult(200, store.Write(key, next));
    }

    /// <summary>apiVersion and kind, when present, must name the resource; custom resources must carry both.</summary>
    private static ApiResult? CheckTypeMeta(ResourceDefinition resource, JsonObject body)
    {
        var apiVersion = JsonMeta.Text(body, "apiVersion");
        var kind = JsonMeta.Text(body, "kind");
        if (!resource.BuiltIn && (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind)))
        {
            return ApiStatus.BadRequest($"Object 'Kind' or 'apiVersion' is missing in '{body.ToJsonString()}'");
        }

        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != resource.ApiVersion)
        {
            return ApiStatus.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({resource.ApiVersion})");
        }

        if (!string.IsNullOrEmpty(kind) && kind != resource.Kind)
        {
            return ApiStatus.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({resource.Kind})");
        }

        body["apiVersion"] = resource.ApiVersion;
        body["kind"] = resource.Kind;
        return null;
    }

    /// <summary>What the real PrepareForCreate strategies do to status (and the one spec default Berth relies on).</summary>
    private static void ApplyCreateStrategy(ResourceDefinition resource, JsonObject body)
    {
        if (resource.Is("", "pods"))
        {
            body["status"] = new JsonObject { ["phase"] = "Pending" };
            if (body["spec"] is JsonObject spec && string.IsNullOrEmpty(JsonMeta.Text(spec, "schedulerName")))
            {
                spec["schedulerName"] = "default-scheduler";
            }
        }
        else if (resource.Is("", "namespaces"))
        {
            body["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (resource.Is("batch", "jobs"))
        {
            body["status"] = new JsonObject();
        }
        else if (resource.Is("policy", "poddisruptionbudgets"))
        {
            body["status"] = new JsonObject
            {
                ["disruptionsAllowed"] = 0,
                ["currentHealthy"] = 0,
                ["desiredHealthy"] = 0,
                ["expectedPods"] = 0,
            };
        }
        else if (!resource.BuiltIn && resource.HasStatusSubresource)
        {
            body.Remove("status");
        }
    }

    private static string? BindingRefusal(JsonObject pod, JsonObject binding, string name)
    {
        var wantedUid = JsonMeta.Text(binding, "metadata.uid");
        if (!string.IsNullOrEmpty(wantedUid) && wantedUid != JsonMeta.Uid(pod))
        {
            return $"Precondition failed: UID in precondition: {wantedUid}, UID in object meta: {JsonMeta.Uid(pod)}";
        }

        var wantedVersion = JsonMeta.Text(binding, "metadata.resourceVersion");
        if (!string.IsNullOrEmpty(wantedVersion) && wantedVersion != JsonMeta.ResourceVersion(pod))
        {
            return $"Precondition failed: ResourceVersion in precondition: {wantedVersion}, " +
                $"ResourceVersion in meta: {JsonMeta.ResourceVersion(pod)}";
        }

        if (JsonMeta.IsBeingDeleted(pod))
        {
            return $"pod {name} is being deleted, cannot be assigned to a host";
        }

        if (JsonMeta.Text(pod, "spec.nodeName") is { Length: > 0 } assigned)
        {
            return $"pod {name} is already assigned to node \"{assigned}\"";
        }

        if (pod["spec"]?["schedulingGates"] is JsonArray { Count: > 0 })
        {
            return $"pod {name} has non-empty .spec.schedulingGates";
        }

        return null;
    }

    private void SetCondition(JsonObject pod, string type, string status)
    {
        var podStatus = pod["status"] as JsonObject ?? new JsonObject();
        pod["status"] = podStatus;
        var conditions = podStatus["conditions"] as JsonArray ?? [];
        podStatus["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonMeta.Text(c, "type") == type);
        if (existing is null)
        {
            conditions.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = status,
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = JsonMeta.Timestamp(time),
            });
        }
        else if (JsonMeta.Text(existing, "status") != status)
        {
            existing["status"] = status;
            existing["lastTransitionTime"] = JsonMeta.Timestamp(time);
        }
    }

    private static void CopyField(JsonObject from, JsonObject to, string field)
    {
        if (from.TryGetPropertyValue(field, out var value))
        {
            to[field] = value?.DeepClone();
        }
        else
        {
            to.Remove(field);
        }
    }

    /// <summary>A uid from a counter, so runs are repeatable; shaped like a UUID.</summary>
    private string NewUid() =>
        "00000000-0000-4000-8000-" + store.NextSequence().ToString("x12", CultureInfo.InvariantCulture);

    private static string GeneratedSuffix(long sequence)
    {
        var suffix = new char[5];
        for (var i = suffix.Length - 1; i >= 0; i--)
        {
            suffix[i] = GeneratedNameAlphabet[(int)(sequence % GeneratedNameAlphabet.Length)];
            sequence /= GeneratedNameAlphabet.Length;
        }

        return new string(suffix);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Rfc1123Subdomain();
}
