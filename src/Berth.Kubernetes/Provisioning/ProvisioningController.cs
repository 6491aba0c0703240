using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Controller;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Provisioning;

/// <summary>
/// Berth's provisioning admission check (Kueue's <c>kueue.x-k8s.io/provisioning-request</c>), run after each decision
/// on the Kubernetes side so the engine stays pure. For each Job, PodGroup, framework object or group of pods without
/// an object (kept on its first pod, <see cref="Workload.Anchor"/>) whose queue names a check that a
/// <see cref="ProvisioningConfig"/> ConfigMap hands to Berth, and that waits only for nodes (<c>NoNodeFits</c>,
/// <c>GangIncomplete</c>, <c>NeverFits</c>) or has its quota reserved, it creates a ProvisioningRequest with one
/// PodTemplate per pod set, and answers the check's state annotation from the request's conditions:
/// <c>Provisioned</c> on a reserved workload is <c>Ready</c> (the pods first get the annotations the autoscaler
/// matches them by); <c>Failed</c> is retried as a new request after a doubling backoff, and past the config's limit
/// the workload is rejected; <c>BookingExpired</c> or <c>CapacityRevoked</c> before it started is <c>Retry</c> (the
/// reservation goes back to the queue) and a new request follows. Requests go when the workload finishes, is
/// rejected or is deleted (and through owner references on a real cluster).
/// </summary>
public sealed class ProvisioningController(IKubernetes client, ClusterWriter writer, string configNamespace, ILogger logger)
{
    private static readonly string[] PlacementCodes = ["NoNodeFits", "GangIncomplete", "NeverFits"];

    /// <summary>Looks at every workload of a queue with a provisioning check and makes the writes its requests call for.</summary>
    public async Task RunAsync(ClusterSnapshot snapshot, DecisionPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(plan);
        var checksByQueue = snapshot.Queues.Where(q => q.Spec?.AdmissionChecks is { Count: > 0 }).ToDictionary(q => q.Metadata.Name, q => q.Spec!.AdmissionChecks!, StringComparer.Ordinal);
        if (checksByQueue.Count == 0)
        {
            return; // no queue names a check: no list calls at all
        }

        var maps = await client.CoreV1.ListNamespacedConfigMapAsync(configNamespace, labelSelector: $"{ProvisioningConfig.CheckLabel}={ProvisioningConfig.ControllerName}", cancellationToken: cancellationToken).ConfigureAwait(false);
        var configs = maps.Items.ToDictionary(m => m.Metadata.Name, ProvisioningConfig.Parse, StringComparer.Ordinal);
        var requests = await ListRequestsAsync(cancellationToken).ConfigureAwait(false);
        var codes = plan.Outcomes.GroupBy(o => (o.Kind, o.Namespace, o.Name)).ToDictionary(g => g.Key, g => g.Last().Code);
        var handled = new HashSet<(string, string, string, string)>();
        foreach (var workload in Workload.All(snapshot).Concat(Workload.OfPods(snapshot, plan, checksByQueue.Keys.ToHashSet(StringComparer.Ordinal))))
        {
            foreach (var check in checksByQueue.GetValueOrDefault(workload.Queue, []).Where(configs.ContainsKey))
            {
                var key = (workload.Namespace, workload.Kind, workload.Name, check);
                handled.Add(key);
                var mine = requests.Where(r => (r.Namespace, r.WorkloadKind, r.Workload, r.Check) == key).OrderBy(r => r.Attempt).ToList();
                try
                {
                    await StepAsync(snapshot, workload.Code ?? codes.GetValueOrDefault((workload.Kind, workload.Namespace, workload.Name)), workload, check, configs[check], mine, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden)
                {
                    // One workload's refused write (a name too long for a label, a denied request) does not hold up the others.
                    logger.LogWarning("provisioning check {Check} of {Kind} {Namespace}/{Name}: the API server refused a write ({Status}: {Body}); tried again next cycle", check, workload.Kind, workload.Namespace, workload.Name, e.Response.StatusCode, e.Response.Content);
                }
            }
        }

        foreach (var orphan in requests.Where(r => !handled.Contains((r.Namespace, r.WorkloadKind, r.Workload, r.Check))))
        {
            await DeleteAsync(orphan, cancellationToken).ConfigureAwait(false); // its workload or the queue's check is gone
        }
    }

    private async Task StepAsync(ClusterSnapshot snapshot, string? code, Workload workload, string check, (ProvisioningConfig? Config, string? Error) parsed, List<ProvisioningRequestState> requests, CancellationToken cancellationToken)
    {
        if (workload.Finished)
        {
            foreach (var request in requests)
            {
                await DeleteAsync(request, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var latest = requests.LastOrDefault();
        if (workload.Admitted)
        {
            if (latest is { Consumed: false, Provisioned: true })
            {
                await MarkSpentAsync(latest, snapshot.Now, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (workload.Reserved && CheckStatus.Read(workload.Meta, [check])[0].State == AdmissionCheckState.Retry)
        {
            return; // the planner gives the reservation back first; what follows is for the next one
        }

        if (parsed.Config is not { } config)
        {
            await SetCheckAsync(workload, check, $"Pending: {parsed.Error}", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (latest is { LostBy: { } lost, Consumed: false } && workload.Reserved)
        {
            // Marked spent first, so the reservation that follows the requeue asks anew instead of being sent back again.
            await MarkSpentAsync(latest, snapshot.Now, cancellationToken).ConfigureAwait(false);
            await SetCheckAsync(workload, check, $"Retry: ProvisioningRequest {latest.Name} reports {latest.Detail ?? lost} before the workload started; a new request follows", cancellationToken).ConfigureAwait(false);
            return;
        }

        // Spent requests hold no capacity (the workload ran with one and was evicted, or its booking lapsed): they go
        // now. Failed ones stay until the workload is done, since they count against the retry limit.
        var next = NextAttempt(workload, check, requests);
        foreach (var spent in requests.Where(r => r.Spent && !r.Failed).ToList())
        {
            await DeleteAsync(spent, cancellationToken).ConfigureAwait(false);
            requests.Remove(spent);
        }

        if (!workload.Reserved && !PlacementCodes.Contains(code))
        {
            return; // it waits for quota, a backoff or its turn: nodes would not help it yet
        }

        latest = requests.LastOrDefault();
        var failures = requests.Count(r => r.Failed);
        if (latest is null || latest.Spent)
        {
            await CreateAsync(snapshot, workload, config, next, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (latest.Failed)
        {
            if (failures > config.BackoffLimitCount)
            {
                var why = $"Rejected: ProvisioningRequest {latest.Name} reports {latest.Detail}; {failures} requests failed, past backoffLimitCount {config.BackoffLimitCount} of ConfigMap {configNamespace}/{check}";
                var annotations = new Dictionary<string, string?> { [CheckStatus.AnnotationOf(check)] = why };
                if (!workload.Reserved)
                {
                    annotations[KubernetesNames.AdmissionCheckRejectedAnnotation] = Stamp(snapshot.Now); // nothing reserved for the planner to stop: it stops here
                }

                await SetAnnotationsAsync(workload, annotations, cancellationToken).ConfigureAwait(false);
                return;
            }

            var retryAt = (latest.FailedAt ?? snapshot.Now) + config.BackoffAfter(failures);
            if (workload.Reserved)
            {
                // Kueue's order: a failed request gives the quota reservation back, and the workload waits in its queue
                // with backoff (until the config's retry time at least); its next reservation asks anew.
                await MarkSpentAsync(latest, snapshot.Now, cancellationToken).ConfigureAwait(false);
                await SetAnnotationsAsync(workload, new Dictionary<string, string?>
                {
                    [CheckStatus.AnnotationOf(check)] = $"Retry: ProvisioningRequest {latest.Name} reports {latest.Detail}; attempt {failures} of {config.BackoffLimitCount + 1} failed, so the quota reservation is released and a new request follows, not before {Stamp(retryAt)}",
                    [KubernetesNames.BackoffUntilAnnotation] = Stamp(retryAt),
                }, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (snapshot.Now >= retryAt)
            {
                await CreateAsync(snapshot, workload, config, next, cancellationToken).ConfigureAwait(false);
                return;
            }

            await SetCheckAsync(workload, check, $"Pending: ProvisioningRequest {latest.Name} reports {latest.Detail}; retry {failures} of {config.BackoffLimitCount} at {Stamp(retryAt)}", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (latest.Provisioned && workload.Reserved)
        {
            await ReadyAsync(workload, check, latest, config, cancellationToken).ConfigureAwait(false);
            return;
        }

        var state = latest.Provisioned ? "is provisioned; waiting for its nodes and for quota to be reserved" : $"waits for the cluster autoscaler{(latest.Detail is { } d ? " (" + d + ")" : string.Empty)}";
        await SetCheckAsync(workload, check, $"Pending: ProvisioningRequest {latest.Name} {state}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The next attempt's number: past every request there is and the one the workload names last
    /// (<see cref="KubernetesNames.ProvisioningRequestAnnotation"/>), so a deleted request's name is never reused.
    /// </summary>
    private static int NextAttempt(Workload workload, string check, List<ProvisioningRequestState> requests)
    {
        var prefix = $"{workload.Name}-{check}-";
        var named = Value(workload.Meta.Annotations, KubernetesNames.ProvisioningRequestAnnotation) is { } last && last.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(last.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return Math.Max(named, requests.Count == 0 ? 0 : requests.Max(r => r.Attempt)) + 1;
    }

    /// <summary>Creates attempt <paramref name="attempt"/>: the request (owned by the workload), then its PodTemplates (owned by the request).</summary>
    private async Task CreateAsync(ClusterSnapshot snapshot, Workload workload, ProvisioningConfig config, int attempt, CancellationToken cancellationToken)
    {
        var name = $"{workload.Name}-{config.Check}-{attempt}";
        var sets = workload.PodSets();
        var request = new JsonObject
        {
            ["apiVersion"] = ProvisioningRequestState.Group + "/" + ProvisioningRequestState.Version,
            ["kind"] = ProvisioningRequestState.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = workload.Namespace,
                ["labels"] = new JsonObject
                {
                    [ProvisioningRequestState.CheckLabel] = config.Check,
                    [ProvisioningRequestState.WorkloadLabel] = workload.Name,
                    [ProvisioningRequestState.WorkloadKindLabel] = workload.Kind,
                },
                ["annotations"] = new JsonObject { [ProvisioningRequestState.AttemptAnnotation] = attempt.ToString(CultureInfo.InvariantCulture) },
                ["ownerReferences"] = new JsonArray(Owner(workload.ApiVersion, workload.Kind, workload.OwnerName, workload.Uid)),
            },
            ["spec"] = new JsonObject
            {
                ["provisioningClassName"] = config.ProvisioningClassName,
                ["parameters"] = new JsonObject(config.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
                ["podSets"] = new JsonArray(sets.Select((s, i) => (JsonNode)new JsonObject { ["podTemplateRef"] = new JsonObject { ["name"] = TemplateName(name, i) }, ["count"] = s.Count }).ToArray()),
            },
        };
        JsonElement created;
        try
        {
            created = (JsonElement)await client.CustomObjects.CreateNamespacedCustomObjectAsync(request, ProvisioningRequestState.Group, ProvisioningRequestState.Version, workload.Namespace, ProvisioningRequestState.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return; // made by this replica's last cycle, which the list did not show yet
        }

        var uid = created.GetProperty("metadata").GetProperty("uid").GetString()!;
        for (var i = 0; i < sets.Count; i++)
        {
            var template = new V1PodTemplate
            {
                ApiVersion = "v1",
                Kind = "PodTemplate",
                Metadata = new V1ObjectMeta
                {
                    Name = TemplateName(name, i),
                    NamespaceProperty = workload.Namespace,
                    Labels = new Dictionary<string, string> { [ProvisioningRequestState.CheckLabel] = config.Check, [ProvisioningRequestState.WorkloadLabel] = workload.Name },
                    OwnerReferences = [new V1OwnerReference { ApiVersion = ProvisioningRequestState.Group + "/" + ProvisioningRequestState.Version, Kind = ProvisioningRequestState.Kind, Name = name, Uid = uid, BlockOwnerDeletion = true, Controller = true }],
                },
                Template = sets[i].Template,
            };
            try
            {
                await client.CoreV1.CreateNamespacedPodTemplateAsync(template, workload.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // there already: the request was made before and its template too
            }
        }

        logger.LogInformation("created ProvisioningRequest {Namespace}/{Name} ({Class}) for {Kind} {Workload}: {Sets}", workload.Namespace, name, config.ProvisioningClassName, workload.Kind, workload.Name, string.Join(", ", sets.Select(s => s.Count)));
        await SetAnnotationsAsync(workload, new Dictionary<string, string?>
        {
            [CheckStatus.AnnotationOf(config.Check)] = $"Pending: ProvisioningRequest {name} created (attempt {attempt} of {config.BackoffLimitCount + 1}); waiting for the cluster autoscaler",
            [KubernetesNames.ProvisioningRequestAnnotation] = name,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The check turns Ready in the same write that gives the pods the annotations by which the cluster autoscaler lets
    /// them use the capacity it booked: a Job's pod template (the Job is still suspended), or the PodGroup, whose
    /// annotations the planner copies onto each pod's binding.
    /// </summary>
    private async Task ReadyAsync(Workload workload, string check, ProvisioningRequestState request, ProvisioningConfig config, CancellationToken cancellationToken)
    {
        var consume = new Dictionary<string, string?>
        {
            [KubernetesNames.ConsumeProvisioningRequestAnnotation] = request.Name,
            [KubernetesNames.ProvisioningClassNameAnnotation] = config.ProvisioningClassName,
        };
        var ready = new Dictionary<string, string?> { [CheckStatus.AnnotationOf(check)] = $"Ready: ProvisioningRequest {request.Name} is provisioned" };
        if (workload.Job is not null)
        {
            await writer.UpdateJobAsync(workload.Namespace, workload.Name, j => Merge(j.Spec.Template.Metadata ??= new V1ObjectMeta(), consume) | Merge(j.Metadata, ready), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (workload.Framework is var (_, framework))
        {
            // Every pod template of the (still suspended) object, as a Job's: the pods its controller makes carry them.
            await writer.UpdateFrameworkAsync(framework, workload.Namespace, workload.Name, obj =>
            {
                var sets = new List<Frameworks.FrameworkPodSet>();
                var changed = MergeJson(obj, ["metadata", "annotations"], ready);
                if (obj["spec"] is JsonObject spec && framework.ReadPodSets(spec, sets) is null)
                {
                    foreach (var set in sets.Where(s => s.TemplatePath is not null))
                    {
                        changed |= MergeJson(obj, [.. set.TemplatePath!, "metadata", "annotations"], consume);
                    }
                }

                return changed;
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        await SetAnnotationsAsync(workload, new Dictionary<string, string?>(consume.Concat(ready)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks a request used up (its workload started with it, or was sent back after it lapsed): a workload that waits again asks anew.</summary>
    private Task MarkSpentAsync(ProvisioningRequestState request, DateTimeOffset now, CancellationToken cancellationToken) =>
        IgnoreMissingAsync(client.CustomObjects.PatchNamespacedCustomObjectAsync(Annotations(new Dictionary<string, string?> { [ProvisioningRequestState.ConsumedAnnotation] = Stamp(now) }), ProvisioningRequestState.Group, ProvisioningRequestState.Version, request.Namespace, ProvisioningRequestState.Plural, request.Name, cancellationToken: cancellationToken));

    private Task SetCheckAsync(Workload workload, string check, string value, CancellationToken cancellationToken) =>
        SetAnnotationsAsync(workload, new Dictionary<string, string?> { [CheckStatus.AnnotationOf(check)] = value }, cancellationToken);

    /// <summary>Writes annotations the workload does not carry already (an unchanged state costs no write and wakes no cycle).</summary>
    private async Task SetAnnotationsAsync(Workload workload, Dictionary<string, string?> annotations, CancellationToken cancellationToken)
    {
        if (annotations.All(a => Value(workload.Meta.Annotations, a.Key) == a.Value))
        {
            return;
        }

        if (workload.Kind == "Job")
        {
            await writer.UpdateJobAsync(workload.Namespace, workload.Name, j => Merge(j.Metadata, annotations), cancellationToken).ConfigureAwait(false);
        }
        else if (workload.Framework is var (_, framework))
        {
            await writer.UpdateFrameworkAsync(framework, workload.Namespace, workload.Name, obj => MergeJson(obj, ["metadata", "annotations"], annotations), cancellationToken).ConfigureAwait(false);
        }
        else if (workload.Anchor is not null)
        {
            await writer.PatchPodAnnotationsAsync(workload.Namespace, workload.OwnerName, annotations, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await IgnoreMissingAsync(client.CustomObjects.PatchNamespacedCustomObjectAsync(Annotations(annotations), KubernetesNames.Group, KubernetesNames.Version, workload.Namespace, Api.PodGroup.KubePluralName, workload.Name, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Sets (or, for null, removes) annotations on <paramref name="meta"/>; false when all were so already.</summary>
    private static bool Merge(V1ObjectMeta meta, Dictionary<string, string?> annotations)
    {
        if (annotations.All(a => Value(meta.Annotations, a.Key) == a.Value))
        {
            return false;
        }

        meta.Annotations ??= new Dictionary<string, string>();
        foreach (var (key, value) in annotations)
        {
            if (value is null)
            {
                meta.Annotations.Remove(key);
            }
            else
            {
                meta.Annotations[key] = value;
            }
        }

        return true;
    }

    /// <summary>As <see cref="Merge"/>, on the JSON object at <paramref name="path"/> (made when missing) of a framework object.</summary>
    private static bool MergeJson(JsonObject root, IReadOnlyList<object> path, Dictionary<string, string?> annotations)
    {
        if (Frameworks.JsonFields.At(root, [.. path]) is not JsonObject target)
        {
            if (!Frameworks.JsonFields.Set(root, path, new JsonObject()))
            {
                return false; // not where the framework keeps it: nothing to write
            }

            target = (JsonObject)Frameworks.JsonFields.At(root, [.. path])!;
        }

        var changed = false;
        foreach (var (key, value) in annotations)
        {
            if (value is null ? target.Remove(key) : Frameworks.JsonFields.Text(target[key]) != value)
            {
                if (value is not null)
                {
                    target[key] = value;
                }

                changed = true;
            }
        }

        return changed;
    }

    private async Task<List<ProvisioningRequestState>> ListRequestsAsync(CancellationToken cancellationToken)
    {
        var list = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync(ProvisioningRequestState.Group, ProvisioningRequestState.Version, ProvisioningRequestState.Plural, labelSelector: ProvisioningRequestState.CheckLabel, cancellationToken: cancellationToken).ConfigureAwait(false);
        var items = JsonNode.Parse(list.GetRawText())?["items"] as JsonArray ?? [];
        return items.OfType<JsonObject>().Select(ProvisioningRequestState.From).OfType<ProvisioningRequestState>().ToList();
    }

    private async Task DeleteAsync(ProvisioningRequestState request, CancellationToken cancellationToken)
    {
        logger.LogInformation("deleting ProvisioningRequest {Namespace}/{Name}", request.Namespace, request.Name);
        await IgnoreMissingAsync(client.CustomObjects.DeleteNamespacedCustomObjectAsync(ProvisioningRequestState.Group, ProvisioningRequestState.Version, request.Namespace, ProvisioningRequestState.Plural, request.Name, propagationPolicy: "Background", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var templates = await client.CoreV1.ListNamespacedPodTemplateAsync(request.Namespace, labelSelector: $"{ProvisioningRequestState.CheckLabel}={request.Check},{ProvisioningRequestState.WorkloadLabel}={request.Workload}", cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var template in templates.Items.Where(t => t.Metadata.OwnerReferences?.Any(o => o.Name == request.Name) == true))
        {
            // A real cluster's garbage collector follows the owner reference too; deleting here keeps a cluster without one clean.
            await IgnoreMissingAsync(client.CoreV1.DeleteNamespacedPodTemplateAsync(template.Metadata.Name, request.Namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private static async Task IgnoreMissingAsync<T>(Task<T> call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // gone meanwhile: the next cycle no longer sees it
        }
    }

    private static V1Patch Annotations(Dictionary<string, string?> annotations) =>
        new(JsonSerializer.Serialize(new { metadata = new { annotations } }), V1Patch.PatchType.MergePatch);

    private static JsonObject Owner(string apiVersion, string kind, string name, string uid) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = name,
        ["uid"] = uid,
        ["blockOwnerDeletion"] = true,
        ["controller"] = true,
    };

    private static string? Value(IDictionary<string, string>? annotations, string key) =>
        annotations is not null && annotations.TryGetValue(key, out var value) ? value : null;

    private static string TemplateName(string request, int set) => $"{request}-{set}";

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
