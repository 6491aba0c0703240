using System.Globalization;
using Berth.Model;
using Berth.Model.Gpus;
using Berth.Simulation.Input;
using YamlDotNet.RepresentationModel;

namespace Berth.Simulation.Formats;

/// <summary>
/// Berth's own cluster (<c>kind: Cluster</c>) and workload (<c>kind: Workload</c>) files, in YAML
/// (<c>.yaml</c>/<c>.yml</c>) or JSON (<c>.json</c>); docs/FORMATS.md describes every field.
/// Readers are strict: an unknown field, a missing or bad value, an unknown GPU model or taint effect,
/// a duplicate name or broken syntax throws <see cref="InputException"/> with the file, the 1-based line,
/// the field and the fix. Writers produce files the readers give back unchanged.
/// </summary>
public static class BerthFormat
{
    public const string ClusterKind = "Cluster";
    public const string WorkloadKind = "Workload";

    /// <summary>Reads a cluster file: nodes (groups expanded) and the GPU catalog (default models plus the file's <c>gpuModels</c>).</summary>
    public static ClusterSpec ReadCluster(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ClusterReader.Read(path, YamlSource.LoadRoot(path));
    }

    /// <summary>Reads a workload file; GPU models named by pods must be in <paramref name="catalog"/> (default: <see cref="GpuModelCatalog.Default"/>).</summary>
    public static IReadOnlyList<TracePod> ReadWorkload(string path, GpuModelCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return WorkloadReader.Read(path, YamlSource.LoadRoot(path), catalog ?? GpuModelCatalog.Default);
    }

    /// <summary>Reads a cluster and a workload into one input named after the workload file (without extension).</summary>
    public static SimulationInput Read(string clusterPath, string workloadPath)
    {
        var cluster = ReadCluster(clusterPath);
        return new SimulationInput(Path.GetFileNameWithoutExtension(workloadPath), cluster.Nodes, ReadWorkload(workloadPath, cluster.Catalog));
    }

    /// <summary>
    /// Writes nodes as a cluster file (YAML, or JSON for <c>.json</c>), one entry per node. Models outside
    /// the default catalog go to <c>gpuModels</c>; a node whose GPU memory differs from its model's gets <c>gpuMemoryMiB</c>.
    /// </summary>
    public static void WriteCluster(string path, IReadOnlyList<Node> nodes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(nodes);
        DocumentWriter.Write(path, ClusterDocument(nodes));
    }

    /// <summary>Writes pods as a workload file (YAML, or JSON for <c>.json</c>), one entry per pod.</summary>
    public static void WriteWorkload(string path, IReadOnlyList<TracePod> pods)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(pods);
        DocumentWriter.Write(path, WorkloadDocument(pods));
    }

    internal static string GroupNodeName(string prefix, int index) => $"{prefix}-{index.ToString("D4", CultureInfo.InvariantCulture)}";

    internal static string RackName(string prefix, int index) => $"{prefix}-rack-{index.ToString("D4", CultureInfo.InvariantCulture)}";

    internal static string NvlinkDomainName(string prefix, int index) => $"{prefix}-nvl-{index.ToString("D4", CultureInfo.InvariantCulture)}";

    internal static string RepeatedPodName(string name, int index) => $"{name}-{index.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Checks <c>kind</c> before any other field, so that a file of another kind (a scenario, a snapshot, a
    /// Kubernetes manifest) is named as such instead of failing on its first field this format does not know.
    /// </summary>
    internal static void CheckKindFirst(string path, YamlMappingNode root, string expected)
    {
        var node = root.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "kind" }).Value;
        if (node is not YamlScalarNode { Value: { Length: > 0 } kind } || kind == expected)
        {
            return;
        }

        var what = expected.ToLowerInvariant();
        var hint = kind switch
        {
            ClusterKind or WorkloadKind => $"this is a {kind} file; pass it where a {kind.ToLowerInvariant()} file is expected (--nodes takes the cluster, --pods the workload)",
            "Scenario" => $"this is a scenario file, which brings its own cluster and workloads; run it with 'berth simulate --scenario {path}' (or 'berth explain --scenario {path} --at 6h')",
            "BerthClusterSnapshot" => $"this is a snapshot of a live cluster; run it with 'berth simulate --snapshot {path}'",
            _ when root.Children.Keys.Any(k => k is YamlScalarNode { Value: "apiVersion" }) => $"this looks like a Kubernetes manifest; a {what} file starts with 'kind: {expected}' (see docs/FORMATS.md; 'berth import kueue' converts Kueue queues)",
            _ => $"write 'kind: {expected}' (see docs/FORMATS.md)",
        };
        throw new InputException(path, YamlSource.Line(node), "kind", $"kind is '{kind}' but a {what} file (kind: {expected}) was expected; {hint}");
    }

    internal static void CheckKind(YamlFields root, string expected)
    {
        var kind = root.RequiredString("kind", expected);
        if (!string.Equals(kind, expected, StringComparison.Ordinal))
        {
            var hint = kind is ClusterKind or WorkloadKind ? $"this is a {kind} file; pass it where a {kind.ToLowerInvariant()} file is expected" : $"write 'kind: {expected}'";
            throw root.Error("kind", $"kind is '{kind}' but a {expected} file was expected; {hint}");
        }
    }

    internal static TaintEffect? ParseTaintEffect(YamlFields fields, string name, bool required)
    {
        var text = required ? fields.RequiredString(name, nameof(TaintEffect.NoSchedule)) : fields.OptionalString(name);
        if (text is null)
        {
            return null;
        }

        return Enum.GetNames<TaintEffect>().Contains(text, StringComparer.Ordinal)
            ? Enum.Parse<TaintEffect>(text)
            : throw fields.Error(name, $"unknown taint effect '{text}'; write one of {string.Join(", ", Enum.GetNames<TaintEffect>())}");
    }

    private static OrderedMap ClusterDocument(IReadOnlyList<Node> nodes)
    {
        var doc = new OrderedMap().Add("kind", ClusterKind);

        // Models the default catalog lacks are declared with the memory of the first node that uses them.
        var extra = new Dictionary<string, long>(StringComparer.Ordinal);
        var extraList = new List<object>();
        foreach (var node in nodes)
        {
            if (node.GpuModel is { } model && !GpuModelCatalog.Default.Contains(model) && extra.TryAdd(model, node.GpuMemoryMiB))
            {
                extraList.Add(new OrderedMap().Add("name", model).Add("memoryMiB", node.GpuMemoryMiB));
            }
        }

        if (extraList.Count > 0)
        {
            doc.Add("gpuModels", extraList);
        }

        var list = new List<object>(nodes.Count);
        foreach (var node in nodes)
        {
            var entry = new OrderedMap()
                .Add("name", node.Name)
                .Add("cpuMilli", node.CpuMilli)
                .Add("memoryMiB", node.MemoryMiB);
            if (node.GpuCount > 0)
            {
                entry.Add("gpus", (long)node.GpuCount);
            }

            long catalogMemory = 0;
            if (node.GpuModel is { } model)
            {
                entry.Add("gpuModel", model);
                catalogMemory = GpuModelCatalog.Default.TryGet(model, out var info) ? info.MemoryMiB : extra[model];
            }

            if (node.GpuMemoryMiB != catalogMemory)
            {
                entry.Add("gpuMemoryMiB", node.GpuMemoryMiB);
            }

            if (node.Sharing.Mode != GpuSharingMode.Exclusive)
            {
                entry.Add("gpuSharing", SharingMap(node));
            }

            if (node.Labels.Count > 0)
            {
                entry.Add("labels", StringMap(node.Labels));
            }

            if (node.Taints.Count > 0)
            {
                var taints = new List<object>(node.Taints.Count);
                foreach (var taint in node.Taints)
                {
                    var t = new OrderedMap().Add("key", taint.Key);
                    if (taint.Value is not null)
                    {
                        t.Add("value", taint.Value);
                    }

                    taints.Add(t.Add("effect", taint.Effect.ToString()));
                }

                entry.Add("taints", taints);
            }

            list.Add(entry);
        }

        return doc.Add("nodes", list);
    }

    private static OrderedMap WorkloadDocument(IReadOnlyList<TracePod> pods)
    {
        var list = new List<object>(pods.Count);
        foreach (var (pod, created, deleted) in pods)
        {
            if (pod.GpuCount == 0 && pod.GpuMilli != 0)
            {
                throw new ArgumentException($"pod {pod.Name} has gpuMilli {pod.GpuMilli} but no GPUs; a workload file cannot express that, so set GpuMilli to 0", nameof(pods));
            }

            var entry = new OrderedMap()
                .Add("name", pod.Name)
                .Add("cpuMilli", pod.CpuMilli)
                .Add("memoryMiB", pod.MemoryMiB);
            if (pod.GpuCount > 0)
            {
                entry.Add("gpus", (long)pod.GpuCount);
                if (pod.GpuMilli != Limits.GpuMilliPerGpu)
                {
                    entry.Add("gpuMilli", (long)pod.GpuMilli);
                }
            }

            if (pod.MigCount > 0 || pod.SharedGpuReplicas > 0 || pod.GpuMemoryMiB > 0)
            {
                var resources = new OrderedMap();
                if (pod.MigCount > 0)
                {
                    resources.Add(GpuResourceNames.MigPrefix + pod.MigProfile, (long)pod.MigCount);
                }

                if (pod.SharedGpuReplicas > 0)
                {
                    resources.Add(GpuResourceNames.SharedGpu, (long)pod.SharedGpuReplicas);
                }

                if (pod.GpuMemoryMiB > 0)
                {
                    resources.Add(GpuResourceNames.GpuMemory, $"{pod.GpuMemoryMiB.ToString(CultureInfo.InvariantCulture)}Mi");
                }

                entry.Add("resources", resources);
            }

            if (pod.AllowedGpuModels.Count > 0)
            {
                entry.Add("gpuModels", pod.AllowedGpuModels.Cast<object>().ToList());
            }

            if (pod.NodeSelector.Count > 0)
            {
                entry.Add("nodeSelector", StringMap(pod.NodeSelector));
            }

            if (pod.Tolerations.Count > 0)
            {
                var tolerations = new List<object>(pod.Tolerations.Count);
                foreach (var toleration in pod.Tolerations)
                {
                    var t = new OrderedMap();
                    if (toleration.Key is not null)
                    {
                        t.Add("key", toleration.Key);
                    }

                    t.Add("operator", toleration.Operator.ToString());
                    if (toleration.Value is not null)
                    {
                        t.Add("value", toleration.Value);
                    }

                    if (toleration.Effect is { } effect)
                    {
                        t.Add("effect", effect.ToString());
                    }

                    tolerations.Add(t);
                }

                entry.Add("tolerations", tolerations);
            }

            if (pod.Priority != 0)
            {
                entry.Add("priority", (long)pod.Priority);
            }

            if (created is { } c)
            {
                entry.Add("creationTime", c);
            }

            if (deleted is { } d)
            {
                entry.Add("deletionTime", d);
            }

            list.Add(entry);
        }

        return new OrderedMap().Add("kind", WorkloadKind).Add("pods", list);
    }

    private static OrderedMap SharingMap(Node node)
    {
        var sharing = node.Sharing;
        if (sharing.MigLayouts.Count > 1)
        {
            throw new ArgumentException($"node {node.Name} has a MIG layout per GPU; a cluster file holds one layout for all GPUs of a node, so give its GPUs one layout", nameof(node));
        }

        var map = new OrderedMap();
        switch (sharing.Mode)
        {
            case GpuSharingMode.TimeSliced:
                map.Add("mode", "timeSliced").Add("replicas", (long)sharing.Replicas);
                break;
            case GpuSharingMode.Mps:
                map.Add("mode", "mps").Add("replicas", (long)sharing.Replicas).Add("activeThreadPercent", (long)sharing.MpsActiveThreadPercent);
                if (sharing.MpsPinnedMemoryMiB > 0)
                {
                    map.Add("pinnedMemory", $"{sharing.MpsPinnedMemoryMiB.ToString(CultureInfo.InvariantCulture)}Mi");
                }

                break;
            default:
                map.Add("mode", "mig").Add("migLayout", sharing.MigLayoutOf(0).Instances.Select(i => (object)i.ToString()).ToList());
                if (sharing.MigRepartition)
                {
                    map.Add("repartition", true);
                }

                break;
        }

        return map;
    }

    private static OrderedMap StringMap(IReadOnlyDictionary<string, string> map)
    {
        var result = new OrderedMap();
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            result.Add(key, value);
        }

        return result;
    }
}
