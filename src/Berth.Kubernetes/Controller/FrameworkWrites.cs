using System.Text.Json.Nodes;
using Berth.Kubernetes.Frameworks;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// The writes of a Job-like admission on a job framework's object, as <see cref="PlanExecutor"/> makes them on a Job:
/// resume (record, flavor's node selector and tolerations in its pod templates, suspend field false), suspend (record
/// gone, suspend field true, annotations of why), annotate. Each reads the object fresh and writes it back whole.
/// </summary>
internal static class FrameworkWrites
{
    public static Task<string?> AdmitAsync(ClusterWriter writer, AdmitJobAction a, CancellationToken cancellationToken)
    {
        var framework = Of(a.Kind);
        return writer.UpdateFrameworkAsync(framework, a.Namespace, a.Name, obj =>
        {
            if (!IsSuspended(obj, framework))
            {
                return false; // someone else resumed it: leave it, the next cycle sees the truth
            }

            var annotations = Annotations(obj);
            annotations[AdmissionRecord.AnnotationName] = a.Record.ToJson();
            annotations.Remove(DecisionPlanner.PendingReasonAnnotation);
            annotations.Remove(KubernetesNames.QuotaReservedAnnotation);
            var sets = new List<FrameworkPodSet>();
            if (obj["spec"] is JsonObject spec && framework.ReadPodSets(spec, sets) is null)
            {
                framework.Inject(obj, sets, a.NodeSelector, a.Tolerations);
            }

            JsonFields.Set(obj, [.. framework.SuspendPath!], false);
            return true;
        }, cancellationToken);
    }

    public static Task<string?> SuspendAsync(ClusterWriter writer, SuspendJobAction s, CancellationToken cancellationToken)
    {
        var framework = Of(s.Kind);
        return writer.UpdateFrameworkAsync(framework, s.Namespace, s.Name, obj =>
        {
            var annotations = Annotations(obj);
            var annotated = s.Annotations is null || s.Annotations.All(p => annotations.ContainsKey(p.Key));
            if (IsSuspended(obj, framework) && !annotations.ContainsKey(AdmissionRecord.AnnotationName) && annotated)
            {
                return false;
            }

            foreach (var (key, value) in s.Annotations ?? new Dictionary<string, string>())
            {
                annotations[key] = value;
            }

            annotations.Remove(AdmissionRecord.AnnotationName);
            annotations.Remove(KubernetesNames.QuotaReservedAnnotation);
            JsonFields.Set(obj, [.. framework.SuspendPath!], true);
            return true;
        }, cancellationToken);
    }

    public static Task<string?> AnnotateAsync(ClusterWriter writer, AnnotateAction a, CancellationToken cancellationToken) =>
        writer.UpdateFrameworkAsync(Of(a.Kind), a.Namespace!, a.Name, obj =>
        {
            var annotations = Annotations(obj);
            var changed = false;
            foreach (var (key, value) in a.Annotations)
            {
                if (value is null ? annotations.Remove(key) : JsonFields.Text(annotations[key]) != value)
                {
                    if (value is not null)
                    {
                        annotations[key] = value;
                    }

                    changed = true;
                }
            }

            return changed;
        }, cancellationToken);

    private static Framework Of(string kind) => FrameworkRegistry.All.First(f => f.Kind == kind);

    private static bool IsSuspended(JsonObject obj, Framework framework) =>
        framework.SuspendPath is { } path && JsonFields.At(obj, [.. path]) is JsonValue value && value.TryGetValue<bool>(out var suspended) && suspended;

    private static JsonObject Annotations(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = new JsonObject();
            obj["metadata"] = meta;
        }

        if (meta["annotations"] is not JsonObject annotations)
        {
            annotations = new JsonObject();
            meta["annotations"] = annotations;
        }

        return annotations;
    }
}
