using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Translation;
using k8s.Models;

namespace Berth.Kubernetes.Webhook;

/// <summary>
/// Berth's admission webhook (AdmissionReview <c>admission.k8s.io/v1</c>), as Kueue's: the mutating half creates
/// queued Jobs suspended; the validating half refuses what would let a tenant jump the queue. Requests from
/// Berth's own ServiceAccount pass untouched. A pure function of the review and the cluster view it is given.
/// <list type="number">
/// <item>Berth-owned annotations (<see cref="OwnedAnnotations"/>) on a Job or PodGroup are set or changed only by Berth.</item>
/// <item>A queued Job is not created running, and not unsuspended, by anyone but Berth.</item>
/// <item>A queued Job or PodGroup records who created it (<see cref="KubernetesNames.UserAnnotation"/>, for showback); nobody else sets or changes it.</item>
/// <item>A PodGroup's raw <c>spec.priority</c> is Berth's alone: its priority comes from <c>spec.priorityClassName</c>.</item>
/// <item>A PriorityClass annotated <see cref="AllowedNamespacesAnnotation"/> is usable only from those namespaces.</item>
/// <item>A workload names only a Queue whose <c>namespaceSelector</c> allows its namespace.</item>
/// <item>
/// A queued job framework object (<see cref="Frameworks.FrameworkRegistry"/>) is of the version Berth reads, has a spec
/// Berth can read its pod sets from, and (where it has a suspend field) is not created running nor resumed by anyone
/// but Berth; each refusal names the field and the fix.
/// </item>
/// <item>
/// A queued Deployment, StatefulSet or LeaderWorkerSet gets in its pod templates what its replicas need (Berth's
/// scheduler, the queue label, the serving PriorityClass); one labelled <c>berth.dev/serving</c> without a queue, or whose
/// templates name another scheduler, is refused (<see cref="ServingTemplates"/>).
/// </item>
/// </list>
/// </summary>
public sealed class AdmissionReviewHandler
{
    /// <summary>Annotation on a PriorityClass: the namespaces that may use it, comma separated (absent: every namespace).</summary>
    public const string AllowedNamespacesAnnotation = "berth.dev/allowed-namespaces";

    /// <summary>Annotations only Berth writes; a tenant who sets one could pose as admitted, skip a backoff or hide a reason.</summary>
    public static readonly IReadOnlyList<string> OwnedAnnotations =
    [
        AdmissionRecord.AnnotationName, KubernetesNames.RequeuesAnnotation, KubernetesNames.BackoffUntilAnnotation, KubernetesNames.PodsReadyAnnotation,
        KubernetesNames.IdleReclaimedAnnotation, KubernetesNames.MaxRunTimeExceededAnnotation, KubernetesNames.QuotaReservedAnnotation, KubernetesNames.AdmissionCheckRejectedAnnotation,
        KubernetesNames.GpuIndicesAnnotation, KubernetesNames.GpuMilliAnnotation, KubernetesNames.MigInstancesAnnotation, DecisionPlanner.PendingReasonAnnotation, PlanExecutor.OriginalParallelismAnnotation,
    ];

    private readonly string _berthUser;
    private readonly WebhookView _view;
    private readonly string? _servingClass;

    /// <param name="berthUser">Berth's identity as the API server names it: <c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c>.</param>
    /// <param name="view">Queues, namespaces and priority classes as the controller's cache sees them.</param>
    /// <param name="servingClass">The PriorityClass written into serving templates that name none (the controller's <c>ServingPriorityClass</c>); null or empty: none.</param>
    public AdmissionReviewHandler(string berthUser, WebhookView view, string? servingClass = Translation.ServingWorkloads.DefaultPriorityClass)
    {
        ArgumentException.ThrowIfNullOrEmpty(berthUser);
        ArgumentNullException.ThrowIfNull(view);
        _berthUser = berthUser;
        _view = view;
        _servingClass = string.IsNullOrEmpty(servingClass) ? null : servingClass;
    }

    /// <summary>
    /// Answers a review for the mutating webhook (<c>/mutate</c>): a JSON patch that suspends a queued Job created running,
    /// and records on a queued Job or PodGroup who created it (<see cref="KubernetesNames.UserAnnotation"/>, from the
    /// request's <c>userInfo.username</c>), whom showback charges.
    /// </summary>
    public JsonObject Mutate(JsonNode? review) => Answer(review, (request, obj, old) =>
    {
        var kind = Kind(request);
        if (ServingTemplates.IsServing(request["kind"]?["group"]?.GetValue<string>(), kind) && obj is not null && QueueOf(obj) is { } servedQueue)
        {
            return MutateServing(kind!, obj, servedQueue);
        }

        if (kind is not ("Job" or "PodGroup") || Operation(request) != "CREATE" || obj is null || QueueOf(obj) is null)
        {
            return WebhookVerdict.Allowed;
        }

        var patch = new JsonArray();
        string? message = null;
        if (kind == "Job" && obj["spec"]?["suspend"]?.GetValue<bool>() != true)
        {
            patch.Add(new JsonObject { ["op"] = "add", ["path"] = "/spec/suspend", ["value"] = true });
            message = "a queued Job is created suspended; Berth unsuspends it when its queue admits it";
        }

        if (request["userInfo"]?["username"]?.GetValue<string>() is { Length: > 0 } user && Annotation(obj, KubernetesNames.UserAnnotation) != user)
        {
            patch.Add(obj["metadata"]?["annotations"] is JsonObject
                ? new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations/" + KubernetesNames.UserAnnotation.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), ["value"] = user }
                : new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { [KubernetesNames.UserAnnotation] = user } });
        }

        return patch.Count == 0 ? WebhookVerdict.Allowed : WebhookVerdict.Patched(patch, message);
    });

    /// <summary>The serving PriorityClass's patch and notes for a queued Deployment, StatefulSet or LeaderWorkerSet (<see cref="ServingTemplates"/>).</summary>
    private WebhookVerdict MutateServing(string kind, JsonObject obj, string queue)
    {
        var synced = _view.Synced();
        var label = obj["metadata"]?["labels"]?[KubernetesNames.KueueQueueLabel] is null ? KubernetesNames.QueueLabel : KubernetesNames.KueueQueueLabel;
        var patch = new JsonArray();
        var notes = new List<string>();
        ServingTemplates.Mutate(kind, obj, label, queue, _servingClass, synced && _servingClass is not null && _view.PriorityClass(_servingClass) is not null, patch, notes);
        if (synced && _view.Queue(queue) is null)
        {
            notes.Add($"queue {queue} does not exist; the replicas wait with reason QueueUnknown until it does: create the Queue or fix metadata.labels[{label}]");
        }

        return patch.Count == 0 && notes.Count == 0 ? WebhookVerdict.Allowed : WebhookVerdict.Patched(patch, string.Join("; ", notes));
    }

    /// <summary>Answers a review for the validating webhook (<c>/validate</c>).</summary>
    public JsonObject Validate(JsonNode? review) => Answer(review, (request, obj, old) =>
    {
        var kind = Kind(request);
        var operation = Operation(request);
        var group = request["kind"]?["group"]?.GetValue<string>();
        var framework = kind is "Job" or "PodGroup" ? null : Frameworks.FrameworkRegistry.All.FirstOrDefault(f => f.Group == group && f.Kind == kind);
        var serving = ServingTemplates.IsServing(group, kind);
        if (obj is null || (kind is not ("Job" or "PodGroup") && framework is null && !serving) || operation is not ("CREATE" or "UPDATE"))
        {
            return WebhookVerdict.Allowed;
        }

        if (serving && ServingTemplates.Problem(kind!, obj, QueueOf(obj)) is { } servingProblem)
        {
            return WebhookVerdict.Denied(servingProblem);
        }

        var ns = request["namespace"]?.GetValue<string>() ?? obj["metadata"]?["namespace"]?.GetValue<string>() ?? string.Empty;
        foreach (var key in OwnedAnnotations)
        {
            var now = Annotation(obj, key);
            var before = old is null ? null : Annotation(old, key);
            if (now != before && (operation == "UPDATE" || now is not null))
            {
                return WebhookVerdict.Denied($"metadata.annotations[{key}] is written by Berth only; remove it from your {kind} (Berth sets it when it admits or requeues the workload)");
            }
        }

        var creator = Annotation(obj, KubernetesNames.UserAnnotation);
        if (operation == "CREATE" ? creator is not null && creator != request["userInfo"]?["username"]?.GetValue<string>() : creator != (old is null ? null : Annotation(old, KubernetesNames.UserAnnotation)))
        {
            return WebhookVerdict.Denied($"metadata.annotations[{KubernetesNames.UserAnnotation}] records who created the {kind} (showback charges them) and is written by Berth's webhook only; remove it from your {kind}");
        }

        var queue = QueueOf(obj);
        if (framework is not null && queue is not null && !MadeByFramework(obj) && FrameworkProblem(framework, request, obj, old, operation!) is { } problem)
        {
            return WebhookVerdict.Denied(problem);
        }

        if (kind == "Job" && queue is not null && obj["spec"]?["suspend"]?.GetValue<bool>() != true
            && (operation == "CREATE" || old?["spec"]?["suspend"]?.GetValue<bool>() == true))
        {
            return WebhookVerdict.Denied($"spec.suspend: the Job names queue {queue}, so Berth starts it when its queue admits it; create it with spec.suspend: true and leave it to Berth");
        }

        if (kind == "PodGroup" && obj["spec"]?["priority"] is { } priority && (operation == "CREATE" || old?["spec"]?["priority"]?.ToJsonString() != priority.ToJsonString()))
        {
            return WebhookVerdict.Denied("spec.priority is not for tenants: a PodGroup takes its priority from spec.priorityClassName; remove spec.priority and name a PriorityClass your namespace may use");
        }

        var view = _view;
        if (!view.Synced())
        {
            return WebhookVerdict.Allowed;
        }

        var className = kind == "PodGroup" ? obj["spec"]?["priorityClassName"]?.GetValue<string>() : obj["spec"]?["template"]?["spec"]?["priorityClassName"]?.GetValue<string>();
        if (!string.IsNullOrEmpty(className))
        {
            var cls = view.PriorityClass(className);
            if (cls is null && kind == "PodGroup")
            {
                return WebhookVerdict.Denied($"spec.priorityClassName: there is no PriorityClass {className}; name one that exists");
            }

            if (cls is not null && !MayUse(cls, ns))
            {
                return WebhookVerdict.Denied($"priorityClassName: namespace {ns} may not use PriorityClass {className} (its annotation {AllowedNamespacesAnnotation} lists {cls.Metadata.Annotations[AllowedNamespacesAnnotation]}); name another class");
            }
        }

        if (queue is not null && view.Queue(queue) is { } found
            && !NamespaceAccess.Allows(found, NamespaceAccess.LabelsOf(ns, view.Namespace(ns) is { } known ? [known] : [])))
        {
            return WebhookVerdict.Denied($"namespace {ns} may not use queue {queue} (its namespaceSelector is {NamespaceAccess.Describe(found.Spec?.NamespaceSelector)}); name a queue your namespace may use");
        }

        return WebhookVerdict.Allowed;
    });

    /// <summary>True when <paramref name="ns"/> may use <paramref name="cls"/> (see <see cref="AllowedNamespacesAnnotation"/>).</summary>
    public static bool MayUse(V1PriorityClass cls, string ns)
    {
        ArgumentNullException.ThrowIfNull(cls);
        return cls.Metadata?.Annotations?.TryGetValue(AllowedNamespacesAnnotation, out var list) != true
            || list!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains(ns, StringComparer.Ordinal);
    }

    private JsonObject Answer(JsonNode? review, Func<JsonObject, JsonObject?, JsonObject?, WebhookVerdict> decide)
    {
        if (review?["request"] is not JsonObject request || request["uid"]?.GetValue<string>() is not { Length: > 0 } uid)
        {
            throw new ArgumentException("the body is not an AdmissionReview with request.uid; the API server sends admission.k8s.io/v1 AdmissionReview", nameof(review));
        }

        var verdict = request["userInfo"]?["username"]?.GetValue<string>() == _berthUser
            ? WebhookVerdict.Allowed
            : decide(request, request["object"] as JsonObject, request["oldObject"] as JsonObject);
        var response = new JsonObject { ["uid"] = uid, ["allowed"] = verdict.Allow };
        if (!verdict.Allow)
        {
            response["status"] = new JsonObject { ["code"] = 403, ["reason"] = "Forbidden", ["message"] = verdict.Message };
        }

        if (verdict.Patch is not null)
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(verdict.Patch.ToJsonString()));
            if (verdict.Message is not null)
            {
                response["warnings"] = new JsonArray(verdict.Message);
            }
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
    }

    /// <summary>What is wrong with a queued framework object for Berth (a version it does not read, a spec it cannot read, a resume not by Berth); null when nothing.</summary>
    private static string? FrameworkProblem(Frameworks.Framework framework, JsonObject request, JsonObject obj, JsonObject? old, string operation)
    {
        var version = request["kind"]?["version"]?.GetValue<string>();
        if (version != framework.Version)
        {
            return $"apiVersion: {framework.Group}/{version} is a version of {framework.Kind} Berth does not read; write apiVersion: {framework.ApiVersion} (or remove the queue label to run it without Berth)";
        }

        var parsed = k8s.KubernetesJson.Deserialize<Frameworks.FrameworkObject>(obj.ToJsonString());
        if (Frameworks.FrameworkTranslator.ReadPodSets(parsed, framework, []) is { } bad)
        {
            return $"{framework.Kind} {parsed.Metadata?.Name}: {bad}";
        }

        if (framework.SuspendPath is { } path && !Suspended(obj, path) && (operation == "CREATE" || (old is not null && Suspended(old, path))))
        {
            return $"{string.Join('.', path)}: the {framework.Kind} names a queue, so Berth resumes it when its queue admits it; create it with {string.Join('.', path)}: true and leave it to Berth";
        }

        return null;
    }

    /// <summary>True when another framework object made it (a TrainJob's JobSet, a RayJob's RayCluster): its owner was checked, and its controller resumes it.</summary>
    private static bool MadeByFramework(JsonObject obj) =>
        obj["metadata"]?["ownerReferences"] is JsonArray owners
        && owners.OfType<JsonObject>().Any(o => Frameworks.FrameworkRegistry.Find(Frameworks.JsonFields.Text(o["apiVersion"]), Frameworks.JsonFields.Text(o["kind"])) is not null);

    private static bool Suspended(JsonObject obj, IReadOnlyList<string> path) =>
        Frameworks.JsonFields.At(obj, [.. path]) is JsonValue value && value.TryGetValue<bool>(out var suspended) && suspended;

    private static string? Kind(JsonObject request) => request["kind"]?["kind"]?.GetValue<string>();

    private static string? Operation(JsonObject request) => request["operation"]?.GetValue<string>();

    private static string? Annotation(JsonObject obj, string key) => obj["metadata"]?["annotations"]?[key]?.GetValue<string>();

    private static string? QueueOf(JsonObject? obj) =>
        obj?["spec"]?["queue"]?.GetValue<string>()
        ?? obj?["metadata"]?["labels"]?[KubernetesNames.KueueQueueLabel]?.GetValue<string>()
        ?? obj?["metadata"]?["labels"]?[KubernetesNames.QueueLabel]?.GetValue<string>();
}
