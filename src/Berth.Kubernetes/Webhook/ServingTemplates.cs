using System.Text.Json.Nodes;
using Berth.Kubernetes.Translation;

namespace Berth.Kubernetes.Webhook;

/// <summary>
/// What the webhook does for serving workloads (apps/v1 Deployments and StatefulSets, LeaderWorkerSets): the mutating
/// half writes into their pod templates what their pods need to be queued replicas (Berth's scheduler, the queue label,
/// the serving PriorityClass when none is named), as Kueue's webhook does for its pod integration; the validating half
/// refuses one labelled <see cref="ServingWorkloads.ServingLabel"/> without a queue, or whose pods name another scheduler.
/// </summary>
internal static class ServingTemplates
{
    /// <summary>True for the kinds served this way: Deployment and StatefulSet of group <c>apps</c>, LeaderWorkerSet.</summary>
    public static bool IsServing(string? group, string? kind) =>
        (group == "apps" && kind is "Deployment" or "StatefulSet") || (group == "leaderworkerset.x-k8s.io" && kind == "LeaderWorkerSet");

    /// <summary>The pod templates of a serving object, each with its JSON-pointer path and its field for messages.</summary>
    public static IEnumerable<(string Pointer, string Field, JsonObject Template)> Templates(string kind, JsonObject obj)
    {
        if (kind == "LeaderWorkerSet")
        {
            foreach (var name in new[] { "leaderTemplate", "workerTemplate" })
            {
                if (obj["spec"]?["leaderWorkerTemplate"]?[name] is JsonObject template)
                {
                    yield return ($"/spec/leaderWorkerTemplate/{name}", $"spec.leaderWorkerTemplate.{name}", template);
                }
            }
        }
        else if (obj["spec"]?["template"] is JsonObject template)
        {
            yield return ("/spec/template", "spec.template", template);
        }
    }

    /// <summary>
    /// The patch for a queued serving object: in every pod template, <c>schedulerName: berth</c> where none (or the
    /// default scheduler) is named; for a Deployment or StatefulSet, the object's queue label on the template (its pods are
    /// the replicas); and <paramref name="servingClass"/> as <c>priorityClassName</c> where none is named and the class exists.
    /// </summary>
    public static void Mutate(string kind, JsonObject obj, string queueLabel, string queue, string? servingClass, bool classExists, JsonArray patch, List<string> notes)
    {
        foreach (var (pointer, field, template) in Templates(kind, obj))
        {
            if (template["spec"] is not JsonObject spec)
            {
                continue; // the API server's own validation refuses a template without a spec
            }

            if (Text(spec["schedulerName"]) is null or "default-scheduler")
            {
                patch.Add(Add($"{pointer}/spec/schedulerName", KubernetesNames.SchedulerName));
                notes.Add($"{field}.spec.schedulerName set to {KubernetesNames.SchedulerName}: Berth places the replicas");
            }

            if (kind != "LeaderWorkerSet" && Text(template["metadata"]?["labels"]?[queueLabel]) != queue)
            {
                if (template["metadata"] is not JsonObject metadata)
                {
                    patch.Add(Add($"{pointer}/metadata", new JsonObject { ["labels"] = new JsonObject { [queueLabel] = queue } }));
                }
                else if (metadata["labels"] is not JsonObject)
                {
                    patch.Add(Add($"{pointer}/metadata/labels", new JsonObject { [queueLabel] = queue }));
                }
                else
                {
                    patch.Add(Add($"{pointer}/metadata/labels/{Escape(queueLabel)}", queue));
                }
            }

            if (!string.IsNullOrEmpty(servingClass) && classExists && Text(spec["priorityClassName"]) is null && spec["priority"] is null)
            {
                patch.Add(Add($"{pointer}/spec/priorityClassName", servingClass));
                notes.Add($"{field}.spec.priorityClassName set to {servingClass}: serving replicas take priority over training unless their template names a class");
            }
        }
    }

    /// <summary>What is wrong with a serving object for Berth (field and fix), or null.</summary>
    public static string? Problem(string kind, JsonObject obj, string? queue)
    {
        if (queue is null)
        {
            return obj["metadata"]?["labels"]?[ServingWorkloads.ServingLabel] is null
                ? null
                : $"metadata.labels: the {kind} is labelled {ServingWorkloads.ServingLabel} but names no queue; add {KubernetesNames.KueueQueueLabel}: <queue> (or {KubernetesNames.QueueLabel}) to metadata.labels, or remove {ServingWorkloads.ServingLabel} to run it without Berth";
        }

        foreach (var (_, field, template) in Templates(kind, obj))
        {
            if (Text(template["spec"]?["schedulerName"]) is { } scheduler && scheduler is not (KubernetesNames.SchedulerName or "default-scheduler"))
            {
                return $"{field}.spec.schedulerName is '{scheduler}'; the {kind} names queue {queue}, so Berth places its replicas: write schedulerName: {KubernetesNames.SchedulerName} (or leave it out), or remove the queue label";
            }
        }

        return null;
    }

    private static JsonObject Add(string path, JsonNode value) => new() { ["op"] = "add", ["path"] = path, ["value"] = value };

    private static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
