using System.Net;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Makes the calls a <see cref="DecisionPlan"/> asks for, in the order that keeps the cluster consistent
/// if Berth stops half-way: first free capacity (suspend, evict), then the admission records on Jobs and
/// pod groups, then the bindings, then statuses and events. Each write is checked against
/// <paramref name="stillLeader"/> so a replica that lost its lease stops writing at once.
/// <para>
/// Each action stands alone: a write the API server answers with an error fails that action only, the object it
/// writes is held back by <paramref name="backoff"/> (the next plans skip writes to it until its delay passes), and
/// the rest of the plan runs. A permanent refusal (see <see cref="ActionBackoff"/>) is reported once on the
/// workload: the condition <see cref="Api.ConditionTypes.ActionRefused"/> and a Warning event (a PodGroup's other
/// conditions are kept as <paramref name="groupConditions"/>, the cache, has them).
/// </para>
/// </summary>
public sealed class PlanExecutor(ClusterWriter writer, ActionBackoff backoff, ILogger logger, Func<string, IEnumerable<V1Condition>?>? groupConditions = null)
{
    /// <summary>Annotation on an elastic Job admitted with fewer pods than it asked for: its own <c>spec.parallelism</c>, put back when it is suspended.</summary>
    public const string OriginalParallelismAnnotation = "berth.dev/original-parallelism";

    /// <summary>How many bindings are in flight at once.</summary>
    public const int BindingParallelism = 16;

    /// <summary>Reason of the condition and event a permanently refused write leaves on its workload.</summary>
    public const string RefusedReason = "ApiServerRefused";

    private readonly NoticeMemory _notices = new();

    /// <summary>Executes the plan; returns the keys (namespace/name) of the pods it bound.</summary>
    public async Task<ExecutionResult> ExecuteAsync(DecisionPlan plan, Func<bool> stillLeader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stillLeader);
        var result = new ExecutionResult();
        foreach (var c in plan.Checkpoints)
        {
            if (!stillLeader())
            {
                return result;
            }

            var annotations = new Dictionary<string, string?>(StringComparer.Ordinal) { [KubernetesNames.CheckpointRequestedAnnotation] = c.RequestedAt };
            await GuardAsync(result, PodKey(c.Namespace, c.Pod), WorkloadReference(c.Workload, c.Namespace, c.Pod), $"ask pod {c.Namespace}/{c.Pod} to checkpoint", async token => (bool?)await writer.PatchPodAnnotationsAsync(c.Namespace, c.Pod, annotations, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        foreach (var s in plan.Suspensions)
        {
            if (!stillLeader())
            {
                return result;
            }

            if (s.Kind != "Job")
            {
                Wrote(result, s.Kind, s.Namespace, s.Name, await GuardAsync(result, FrameworkKey(s.Kind, s.Namespace, s.Name), FrameworkReference(s.Kind, s.Namespace, s.Name), $"suspend {s.Kind} {s.Namespace}/{s.Name}", token => FrameworkWrites.SuspendAsync(writer, s, token), cancellationToken).ConfigureAwait(false));
                continue;
            }

            var written = await GuardAsync(result, JobKey(s.Namespace, s.Name), JobReference(s.Namespace, s.Name), $"suspend Job {s.Namespace}/{s.Name}", token => writer.UpdateJobAsync(s.Namespace, s.Name, job =>
            {
                var annotated = s.Annotations is null || s.Annotations.All(a => job.Metadata.Annotations?.ContainsKey(a.Key) == true);
                if (job.Spec.Suspend == true && AdmissionRecord.Parse(job.Metadata.Annotations) is null && annotated)
                {
                    return false;
                }

                job.Spec.Suspend = true;
                foreach (var (key, value) in s.Annotations ?? new Dictionary<string, string>())
                {
                    job.Metadata.Annotations ??= new Dictionary<string, string>();
                    job.Metadata.Annotations[key] = value;
                }

                job.Metadata.Annotations?.Remove(AdmissionRecord.AnnotationName);
                job.Metadata.Annotations?.Remove(KubernetesNames.QuotaReservedAnnotation);
                if (job.Metadata.Annotations?.Remove(OriginalParallelismAnnotation, out var original) == true
                    && int.TryParse(original, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parallelism))
                {
                    job.Spec.Parallelism = parallelism; // an elastic Job admitted with fewer pods asks for all again
                }

                return true;
            }, token), cancellationToken).ConfigureAwait(false);
            if (written is not null)
            {
                result.JobsWritten.Add(written);
            }
        }

        foreach (var e in plan.Evictions)
        {
            if (!stillLeader())
            {
                return result;
            }

            // A disruption budget's 429 is "not now", not a failure: the planner asks again on the next decision.
            var evicted = await GuardAsync(result, PodKey(e.Namespace, e.Pod), WorkloadReference(e.Workload, e.Namespace, e.Pod), $"evict pod {e.Namespace}/{e.Pod}", async token => (bool?)await writer.EvictAsync(e.Namespace, e.Pod, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (evicted == false)
            {
                result.EvictionsRefused++;
            }
        }

        foreach (var a in plan.JobAdmissions)
        {
            if (!stillLeader())
            {
                return result;
            }

            if (a.Kind != "Job")
            {
                Wrote(result, a.Kind, a.Namespace, a.Name, await GuardAsync(result, FrameworkKey(a.Kind, a.Namespace, a.Name), FrameworkReference(a.Kind, a.Namespace, a.Name), $"admit {a.Kind} {a.Namespace}/{a.Name}", token => FrameworkWrites.AdmitAsync(writer, a, token), cancellationToken).ConfigureAwait(false));
                continue;
            }

            var written = await GuardAsync(result, JobKey(a.Namespace, a.Name), JobReference(a.Namespace, a.Name), $"admit Job {a.Namespace}/{a.Name}", token => writer.UpdateJobAsync(a.Namespace, a.Name, job =>
            {
                if (job.Spec.Suspend != true)
                {
                    return false; // someone else unsuspended it: leave it, the next cycle sees the truth
                }

                job.Metadata.Annotations ??= new Dictionary<string, string>();
                job.Metadata.Annotations[AdmissionRecord.AnnotationName] = a.Record.ToJson();
                job.Metadata.Annotations.Remove(DecisionPlanner.PendingReasonAnnotation);
                job.Metadata.Annotations.Remove(KubernetesNames.QuotaReservedAnnotation);
                var pod = job.Spec.Template.Spec;
                pod.NodeSelector ??= new Dictionary<string, string>();
                foreach (var (key, value) in a.NodeSelector)
                {
                    pod.NodeSelector[key] = value;
                }

                if (a.Tolerations.Count > 0)
                {
                    var tolerations = pod.Tolerations?.ToList() ?? [];
                    tolerations.AddRange(a.Tolerations.Where(t => !tolerations.Any(x => x.Key == t.Key && x.Effect == t.Effect && x.Value == t.Value)));
                    pod.Tolerations = tolerations;
                }

                var admitted = a.Record.Pods.Count;
                if (admitted > 0 && admitted < (job.Spec.Parallelism ?? 1))
                {
                    // Admitted with fewer pods than it asks for (berth.dev/min-parallelism): run that many, keep what it asked.
                    job.Metadata.Annotations[OriginalParallelismAnnotation] = (job.Spec.Parallelism ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    job.Spec.Parallelism = admitted;
                }

                job.Spec.Suspend = false;
                return true;
            }, token), cancellationToken).ConfigureAwait(false);
            if (written is not null)
            {
                result.JobsWritten.Add(written);
            }
        }

        foreach (var a in plan.Annotations)
        {
            if (!stillLeader())
            {
                return result;
            }

            if (a.Kind == "Job")
            {
                var written = await GuardAsync(result, JobKey(a.Namespace!, a.Name), JobReference(a.Namespace!, a.Name), $"annotate Job {a.Namespace}/{a.Name}", token => writer.UpdateJobAsync(a.Namespace!, a.Name, job =>
                {
                    job.Metadata.Annotations ??= new Dictionary<string, string>();
                    var changed = false;
                    foreach (var (key, value) in a.Annotations)
                    {
                        if (value is null ? job.Metadata.Annotations.Remove(key) : !(job.Metadata.Annotations.TryGetValue(key, out var old) && old == value))
                        {
                            if (value is not null)
                            {
                                job.Metadata.Annotations[key] = value;
                            }

                            changed = true;
                        }
                    }

                    return changed;
                }, token), cancellationToken).ConfigureAwait(false);
                if (written is not null)
                {
                    result.JobsWritten.Add(written);
                }
            }
            else if (a.Kind == "Pod")
            {
                // Pods without an object of their own keep their admission annotations on their first pod.
                await GuardAsync(result, PodKey(a.Namespace!, a.Name), new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = a.Name, NamespaceProperty = a.Namespace }, $"annotate pod {a.Namespace}/{a.Name}", async token => (bool?)await writer.PatchPodAnnotationsAsync(a.Namespace!, a.Name, a.Annotations, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            else if (Frameworks.FrameworkRegistry.All.Any(f => f.Kind == a.Kind))
            {
                Wrote(result, a.Kind, a.Namespace!, a.Name, await GuardAsync(result, FrameworkKey(a.Kind, a.Namespace!, a.Name), FrameworkReference(a.Kind, a.Namespace!, a.Name), $"annotate {a.Kind} {a.Namespace}/{a.Name}", token => FrameworkWrites.AnnotateAsync(writer, a, token), cancellationToken).ConfigureAwait(false));
            }
            else if (await GuardAsync(result, GroupKey(a.Namespace, a.Name), GroupReference(a.Namespace, a.Name), $"write the admission record of PodGroup {a.Namespace}/{a.Name}", token => writer.PatchCustomAnnotationsAsync(Api.PodGroup.KubePluralName, a.Namespace, a.Name, a.Annotations, token), cancellationToken).ConfigureAwait(false) is { } version)
            {
                result.GroupsWritten.Add((a.Namespace + "/" + a.Name, version));
            }
        }

        // Bindings are independent calls (each pod's place was decided above): sent several at a time, as
        // kube-scheduler binds asynchronously, so a real API server's round trips do not add up pod by pod.
        var stopped = false;
        var held = await HeldDevicesAsync(plan, result, cancellationToken).ConfigureAwait(false);
        await Parallel.ForEachAsync(plan.Bindings, new ParallelOptions { MaxDegreeOfParallelism = BindingParallelism, CancellationToken = cancellationToken }, async (b, token) =>
        {
            if (Volatile.Read(ref stopped) || !stillLeader())
            {
                Volatile.Write(ref stopped, true);
                return;
            }

            // One pod's binding failing (a 500, a timeout) does not stop the others: the admission record keeps its
            // planned place, and a later decision binds it there once its backoff passes.
            var bound = await GuardAsync(result, PodKey(b.Namespace, b.Pod), WorkloadReference(b.Workload, b.Namespace, b.Pod), $"bind pod {b.Namespace}/{b.Pod} to {b.Node}", async t => (bool?)(await WriteClaimsAsync(b, held, t).ConfigureAwait(false) && await writer.BindAsync(b.Namespace, b.Pod, b.Node, b.Annotations, t).ConfigureAwait(false)), token).ConfigureAwait(false);
            lock (result)
            {
                if (bound == true)
                {
                    result.Bound.Add(b.Namespace + "/" + b.Pod);
                }
                else if (bound is null && !result.DeferredKeys.Contains(PodKey(b.Namespace, b.Pod)))
                {
                    result.BindFailures++;
                }
            }
        }).ConfigureAwait(false);
        if (stopped)
        {
            return result;
        }

        // Conditions, statuses and events are independent writes: several at a time, the last one planned for an
        // object winning (a plan may say two things of one object; only what it says last is meant).
        var unschedulable = plan.Unschedulable.GroupBy(u => (u.Namespace, u.Pod)).Select(g => g.Last()).ToList();
        if (!await ForEachAsync(unschedulable, stillLeader, (u, token) => GuardAsync(result, PodKey(u.Namespace, u.Pod), null, $"mark pod {u.Namespace}/{u.Pod} unschedulable", async t => { await writer.MarkUnschedulableAsync(u.Namespace, u.Pod, u.Reason, u.Message, t).ConfigureAwait(false); return (bool?)true; }, token), cancellationToken).ConfigureAwait(false))
        {
            return result;
        }

        var statuses = plan.ObjectStatuses.GroupBy(o => (o.Plural, o.Namespace, o.Name)).Select(g => g.Last()).ToList();
        if (!await ForEachAsync(statuses, stillLeader, (o, token) => GuardAsync(result, $"{o.Plural}/status/{o.Namespace}/{o.Name}", null, $"write the status of {o.Plural} {(o.Namespace is null ? string.Empty : o.Namespace + "/")}{o.Name}", async t => { await writer.PatchCustomStatusAsync(o.Plural, o.Namespace, o.Name, o.Status, t).ConfigureAwait(false); return (bool?)true; }, token), cancellationToken).ConfigureAwait(false))
        {
            return result;
        }

        // An event about an object whose write failed or waits for its backoff would announce what did not happen (and
        // again each decision while it waits): left out until the write goes through.
        var unwritten = result.DeferredKeys.Concat(result.Failures.Select(f => f.Key)).ToHashSet(StringComparer.Ordinal);
        var events = plan.Events.Where(e => unwritten.Count == 0 || !unwritten.Contains(KeyOf(e.About))).ToList();
        events.AddRange(plan.Notices.Where(_notices.IsNew));
        await ForEachAsync(events, () => true, (e, token) => writer.RecordEventAsync(e.About, e.Type, e.Reason, e.Message, token), cancellationToken).ConfigureAwait(false);
        await ForEachAsync(plan.NodeConditions, stillLeader, (c, token) => writer.SetNodeConditionAsync(c, token), cancellationToken).ConfigureAwait(false);

        foreach (var warning in plan.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        return result;
    }

    /// <summary>
    /// The devices claims hold now, read once per plan when a binding has DRA claims (the cache may not show the
    /// allocations of the last decision yet); null when no binding has claims, or when the read failed (then bindings
    /// with claims wait: <see cref="WriteClaimsAsync"/> writes none without it).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>?> HeldDevicesAsync(DecisionPlan plan, ExecutionResult result, CancellationToken cancellationToken) =>
        plan.Bindings.Any(b => b.Claims is { Count: > 0 })
            ? await GuardAsync(result, "resourceclaims", null, "list the ResourceClaims", async t => (IReadOnlyDictionary<string, string>?)await writer.Claims.HeldDevicesAsync(t).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>Writes a binding's claims before it; false (the pod is not bound now) when they cannot be written as planned.</summary>
    private async Task<bool> WriteClaimsAsync(BindAction binding, IReadOnlyDictionary<string, string>? held, CancellationToken cancellationToken) =>
        binding.Claims is not { Count: > 0 } || (held is not null && await writer.Claims.WriteAsync(binding.Namespace, binding.Pod, binding.Claims, held, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Runs one write unless its object is held back; on an API error (or no answer) records the failure against the
    /// object and, the first time it is permanent, reports it on <paramref name="workload"/>. Returns the write's result,
    /// or default when it was held back or failed. Cancellation still stops everything.
    /// </summary>
    private async Task<T?> GuardAsync<T>(ExecutionResult result, string key, V1ObjectReference? workload, string what, Func<CancellationToken, Task<T?>> write, CancellationToken cancellationToken)
    {
        if (backoff.IsHeld(key))
        {
            lock (result)
            {
                result.DeferredKeys.Add(key);
            }

            return default;
        }

        int? code;
        string answer;
        try
        {
            var value = await write(cancellationToken).ConfigureAwait(false);
            backoff.RecordSuccess(key);
            return value;
        }
        catch (HttpOperationException e)
        {
            code = (int)e.Response.StatusCode;
            answer = $"HTTP {code} {StatusMessage(e)}";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            code = null;
            answer = $"no answer ({e.GetType().Name}: {e.Message})";
        }

        var failure = backoff.RecordFailure(key, code);
        lock (result)
        {
            result.Failures.Add(new FailedWrite(key, what, code, failure.Permanent));
        }

        logger.LogWarning("{What} failed: {Answer}; {Kind}, tried again in {Delay}", what, answer, failure.Permanent ? "refused" : "failure " + failure.Failures, failure.Delay);
        if (failure.NewlyPermanent && workload is not null)
        {
            var message = $"Berth could not {what}: {answer}. It retries every {ActionBackoff.Max.TotalMinutes:0} minutes and schedules everything else meanwhile.";
            await writer.RecordEventAsync(workload, "Warning", RefusedReason, message, cancellationToken).ConfigureAwait(false);
            var current = workload.Kind == Api.PodGroup.KubeKind ? groupConditions?.Invoke(workload.NamespaceProperty + "/" + workload.Name) : null;
            await writer.MarkRefusedAsync(workload, RefusedReason, message, current, cancellationToken).ConfigureAwait(false);
        }

        return default;
    }

    /// <summary>The message of the Status body an error came with, else the reason phrase.</summary>
    private static string StatusMessage(HttpOperationException e)
    {
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(e.Response.Content ?? string.Empty)?["message"]?.GetValue<string>() is { Length: > 0 } message)
            {
                return message;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // not a Status body (a proxy's page): the reason phrase will do
        }

        return e.Response.ReasonPhrase ?? ((HttpStatusCode)(int)e.Response.StatusCode).ToString();
    }

    /// <summary>The backoff key of the object an event is about (the keys the writes use).</summary>
    private static string KeyOf(V1ObjectReference about) => about.Kind switch
    {
        "Job" => JobKey(about.NamespaceProperty, about.Name),
        "Pod" => PodKey(about.NamespaceProperty, about.Name),
        Api.PodGroup.KubeKind => GroupKey(about.NamespaceProperty, about.Name),
        _ when Frameworks.FrameworkRegistry.All.Any(f => f.Kind == about.Kind) => FrameworkKey(about.Kind, about.NamespaceProperty, about.Name),
        _ => $"{about.Kind}/{about.NamespaceProperty}/{about.Name}",
    };

    internal static string PodKey(string ns, string name) => $"pod/{ns}/{name}";

    internal static string JobKey(string ns, string name) => $"job/{ns}/{name}";

    internal static string GroupKey(string? ns, string name) => $"podgroup/{ns}/{name}";

    /// <summary>Notes a framework object's write (its new resource version), so the controller waits for its cache to show it.</summary>
    private static void Wrote(ExecutionResult result, string kind, string ns, string name, string? version)
    {
        if (version is not null)
        {
            result.FrameworksWritten.Add((kind, ns + "/" + name, version));
        }
    }

    /// <summary>The backoff key of a framework object: its workload id (<c>jobset/ns/name</c>).</summary>
    internal static string FrameworkKey(string kind, string ns, string name) => $"{kind.ToLowerInvariant()}/{ns}/{name}";

    private static V1ObjectReference FrameworkReference(string kind, string ns, string name) =>
        new() { ApiVersion = Frameworks.FrameworkRegistry.All.First(f => f.Kind == kind).ApiVersion, Kind = kind, Name = name, NamespaceProperty = ns };

    private static V1ObjectReference JobReference(string ns, string name) => new() { ApiVersion = "batch/v1", Kind = "Job", Name = name, NamespaceProperty = ns };

    private static V1ObjectReference GroupReference(string? ns, string name) => new() { ApiVersion = KubernetesNames.ApiVersion, Kind = Api.PodGroup.KubeKind, Name = name, NamespaceProperty = ns };

    /// <summary>The object a workload id (<c>job/ns/name</c>, <c>podgroup/ns/name</c>, <c>pod/ns/name</c>) names; the pod itself for anything else (a labelled gang has no object).</summary>
    private static V1ObjectReference WorkloadReference(string workload, string ns, string pod)
    {
        var parts = workload.Split('/', 3);
        return parts.Length == 3 && parts[0] switch { "job" => true, "podgroup" => true, _ => false } && parts[1] == ns
            ? (parts[0] == "job" ? JobReference(ns, parts[2]) : GroupReference(ns, parts[2]))
            : new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod, NamespaceProperty = ns };
    }

    /// <summary>Runs <paramref name="write"/> for each item, <see cref="BindingParallelism"/> at a time, while <paramref name="stillLeader"/>; false when it stopped because leadership was lost.</summary>
    private static async Task<bool> ForEachAsync<T>(IReadOnlyList<T> items, Func<bool> stillLeader, Func<T, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var stopped = 0;
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = BindingParallelism, CancellationToken = cancellationToken }, async (item, token) =>
        {
            if (Volatile.Read(ref stopped) == 1 || !stillLeader())
            {
                Volatile.Write(ref stopped, 1);
                return;
            }

            await write(item, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return stopped == 0;
    }
}
