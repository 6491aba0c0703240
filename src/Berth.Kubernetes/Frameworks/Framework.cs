using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Frameworks;

/// <summary>
/// What Berth knows of one job framework's kind: where it is served, how its spec names its pod sets, how it is
/// suspended and resumed, and how its pods are recognised. Each framework is one subclass in its own folder and
/// one line of <see cref="FrameworkRegistry.All"/>; the controller handles every kind the same way (a gang of all
/// its pod sets, admitted by unsuspending it, as a batch/v1 Job).
/// </summary>
public abstract class Framework
{
    /// <summary>The API group, e.g. <c>jobset.x-k8s.io</c>.</summary>
    public abstract string Group { get; }

    /// <summary>The one version Berth reads and writes, e.g. <c>v1alpha2</c>.</summary>
    public abstract string Version { get; }

    public abstract string Kind { get; }

    /// <summary>The resource's URL segment, e.g. <c>jobsets</c>.</summary>
    public abstract string Plural { get; }

    /// <summary>The pod label whose value is <see cref="MemberName"/>: how a pod is known as one of the object's.</summary>
    public abstract string MemberLabel { get; }

    /// <summary>
    /// The boolean field that suspends the object (from its root, e.g. <c>spec</c>, <c>suspend</c>); null for a
    /// framework without one, whose pods Berth holds back by binding them itself.
    /// </summary>
    public abstract IReadOnlyList<string>? SuspendPath { get; }

    public string ApiVersion => Group + "/" + Version;

    /// <summary>The prefix of its workload ids (<c>jobset/&lt;namespace&gt;/&lt;name&gt;</c>).</summary>
    public string IdPrefix => Kind.ToLowerInvariant();

    /// <summary>The value <see cref="MemberLabel"/> has on the object's pods; its name unless the framework names them otherwise.</summary>
    public virtual string MemberName(FrameworkObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return obj.Metadata.Name ?? string.Empty;
    }

    /// <summary>The name of the pod set a member pod belongs to, from the labels the framework's controller puts on it; null when they do not say.</summary>
    public virtual string? PodSetOf(IDictionary<string, string>? labels) => null;

    /// <summary>
    /// True for a serving framework (LeaderWorkerSet): each gang is a replica of one serving workload, spread rather than
    /// packed, and given the serving PriorityClass when its templates name none (<see cref="Translation.ServingWorkloads"/>).
    /// </summary>
    public virtual bool Serves => false;

    /// <summary>How many gangs one object is admitted as: 1, except for a framework that admits each group of pods alone.</summary>
    public virtual int Gangs(IReadOnlyList<FrameworkPodSet> sets) => 1;

    /// <summary>Reads the pod sets from <paramref name="spec"/> into <paramref name="sets"/>; returns what is wrong (field and fix), or null.</summary>
    public abstract string? ReadPodSets(JsonObject spec, List<FrameworkPodSet> sets);

    /// <summary>
    /// Writes a flavor's node selector and tolerations where the pods will take them from: by default into every pod
    /// set's template (as Berth does for a Job's template).
    /// </summary>
    public virtual void Inject(JsonObject root, IReadOnlyList<FrameworkPodSet> sets, IReadOnlyDictionary<string, string> nodeSelector, IReadOnlyList<V1Toleration> tolerations)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(sets);
        ArgumentNullException.ThrowIfNull(nodeSelector);
        ArgumentNullException.ThrowIfNull(tolerations);
        foreach (var set in sets.Where(s => s.TemplatePath is not null))
        {
            if (JsonFields.At(root, [.. set.TemplatePath!, "spec"]) is JsonObject spec)
            {
                MergeScheduling(spec, nodeSelector, tolerations);
            }
        }
    }

    /// <summary>True when the object has finished (its pods hold only what they hold; it is no longer queued).</summary>
    public virtual bool Finished(FrameworkObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var status = obj.Section("status");
        if (JsonFields.At(status, "conditions") is JsonArray conditions)
        {
            foreach (var c in conditions.OfType<JsonObject>())
            {
                if (JsonFields.Text(c["type"]) is "Complete" or "Completed" or "Succeeded" or "Failed" && JsonFields.Text(c["status"]) == "True")
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Adds <paramref name="nodeSelector"/> to a pod spec's node selector and the tolerations it lacks.</summary>
    protected static void MergeScheduling(JsonObject podSpec, IReadOnlyDictionary<string, string> nodeSelector, IReadOnlyList<V1Toleration> tolerations)
    {
        ArgumentNullException.ThrowIfNull(podSpec);
        ArgumentNullException.ThrowIfNull(nodeSelector);
        ArgumentNullException.ThrowIfNull(tolerations);
        if (nodeSelector.Count > 0)
        {
            if (podSpec["nodeSelector"] is not JsonObject selector)
            {
                selector = new JsonObject();
                podSpec["nodeSelector"] = selector;
            }

            foreach (var (key, value) in nodeSelector)
            {
                selector[key] = value;
            }
        }

        if (tolerations.Count > 0)
        {
            if (podSpec["tolerations"] is not JsonArray list)
            {
                list = new JsonArray();
                podSpec["tolerations"] = list;
            }

            foreach (var t in tolerations)
            {
                var node = JsonNode.Parse(KubernetesJson.Serialize(t))!;
                if (!list.Any(x => JsonNode.DeepEquals(x, node)))
                {
                    list.Add(node);
                }
            }
        }
    }

    /// <summary>A pod set read from a pod template at <paramref name="templatePath"/> (from the root; the spec is its second step on).</summary>
    protected static FrameworkPodSet TemplateSet(JsonObject spec, string name, int count, string field, IReadOnlyList<object> templatePath) =>
        new(name, count, field, JsonFields.At(spec, [.. templatePath.Skip(1)]) as JsonObject, templatePath);
}
