using Berth.Model;
using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Turns a <see cref="V1Node"/> into a <see cref="NodeView"/>. Pure; never throws for a node's content
/// (what cannot be used is left out with a warning).
/// <list type="bullet">
/// <item>CPU (milli-cores) and memory (MiB) from <c>status.allocatable</c> (else <c>status.capacity</c>), rounded down.</item>
/// <item>GPU count from allocatable <c>nvidia.com/gpu</c> (at most 16, the model's limit).</item>
/// <item>GPU model from the label <c>berth.dev/gpu-model</c>, else GPU Feature Discovery's <c>nvidia.com/gpu.product</c>,
/// else GKE's <c>cloud.google.com/gke-accelerator</c>, mapped to the catalog's names (A100, H100, ...); else <c>unknown</c>.</item>
/// <item>GPU memory (MiB) from <c>nvidia.com/gpu.memory</c>, else the catalog's figure for the model, else 0.</item>
/// <item>GPU sharing (time-slicing, MPS, MIG mixed strategy) from the device plugin's labels and resources: <see cref="GpuSharingLabels"/>.</item>
/// <item>Every taint, with its effect; a termination taint (<see cref="TerminationTaints"/>) or condition (<see cref="TerminationConditions"/>) is a termination notice.</item>
/// <item>Health: not schedulable when <c>spec.unschedulable</c>, when the Ready condition is not True, or when the
/// taint <c>nvidia.com/gpu=unhealthy</c> (NoSchedule/NoExecute) marks every GPU unhealthy; single unhealthy GPUs
/// from the annotation <c>berth.dev/unhealthy-gpus</c> (<c>"1,3"</c>).</item>
/// <item>Topology inside the node (NVLink islands, PCIe switches, NUMA nodes) from the annotation
/// <c>berth.dev/gpu-topology</c> (<see cref="GpuTopologyAnnotation"/>), else GPUs per island from <c>berth.dev/nvlink-island-size</c>.</item>
/// </list>
/// </summary>
public static class NodeTranslator
{
    /// <summary>The GPU model of a node with GPUs that no label names.</summary>
    public const string UnknownGpuModel = "unknown";

    public static NodeView Translate(V1Node node) => Translate(node, TerminationConditions.Defaults);

    /// <summary>As <see cref="Translate(V1Node)"/>, with the node condition types that announce a termination (<see cref="TerminationConditions"/>).</summary>
    public static NodeView Translate(V1Node node, IReadOnlyCollection<string> terminationConditions)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(terminationConditions);
        var warnings = new List<string>();
        var name = node.Metadata?.Name ?? string.Empty;
        var labels = ModelMapping.Copy(node.Metadata?.Labels);

        var cpu = Capacity(node, "cpu", ResourceKind.Cpu, warnings);
        var memory = Capacity(node, "memory", ResourceKind.Memory, warnings);
        var advertised = GpuCount(node, GpuSharingLabels.SingleProfile(labels) is null ? warnings : []); // single strategy: MIG devices, checked there
        var gpus = GpuSharingLabels.PhysicalGpus(node, labels, advertised, warnings);

        string? model = null;
        long gpuMemory = 0;
        if (gpus > 0)
        {
            model = GpuModel(labels, warnings);
            gpuMemory = GpuSharingLabels.SingleProfile(labels) is null ? GpuMemory(labels, model, warnings)
                : GpuModelCatalog.Default.TryGet(model, out var info) ? info.MemoryMiB : 0; // single strategy: gpu.memory is one instance's
        }

        var sharing = GpuSharingLabels.Read(node, labels, gpus, model, gpuMemory, warnings);
        if (sharing.Mode == Model.Gpus.GpuSharingMode.Exclusive && gpus != advertised)
        {
            gpus = advertised; // the sharing labels were unusable: the node's GPUs are what the device plugin advertises.
        }

        var taints = new List<Taint>();
        foreach (var taint in node.Spec?.Taints ?? [])
        {
            if (taint is null)
            {
                continue;
            }

            var effect = ModelMapping.Effect(taint.Effect);
            if (effect is null)
            {
                warnings.Add($"taint {taint.Key} has effect '{taint.Effect}', which Berth does not know; it is treated as NoSchedule");
            }

            taints.Add(new Taint(taint.Key ?? string.Empty, string.IsNullOrEmpty(taint.Value) ? null : taint.Value, effect ?? TaintEffect.NoSchedule));
        }

        var gpusUnhealthy = taints.Any(t => t.Key == KubernetesNames.GpuResource
            && t.Value == KubernetesNames.GpuUnhealthyTaintValue
            && t.Effect is TaintEffect.NoSchedule or TaintEffect.NoExecute);

        string? reason = null;
        if (node.Spec?.Unschedulable == true)
        {
            reason = "the node is cordoned (spec.unschedulable)";
        }
        else if (node.Status?.Conditions?.FirstOrDefault(c => c?.Type == "Ready") is not { Status: "True" })
        {
            reason = "the node is not Ready";
        }
        else if (gpusUnhealthy)
        {
            reason = $"the node's GPUs are unhealthy (taint {KubernetesNames.GpuResource}={KubernetesNames.GpuUnhealthyTaintValue})";
        }

        var unhealthy = gpusUnhealthy
            ? Enumerable.Range(0, gpus).ToArray()
            : UnhealthyGpus(ModelMapping.Get(node.Metadata?.Annotations, KubernetesNames.UnhealthyGpusAnnotation), gpus, warnings);

        var islandSize = IslandSize(labels, gpus, warnings);
        var topology = GpuTopologyAnnotation.Read(node.Metadata?.Annotations, gpus, cpu, memory, warnings);
        if (topology is not null && islandSize is not null)
        {
            warnings.Add($"label {KubernetesNames.NvlinkIslandSizeLabel} is ignored: annotation {KubernetesNames.GpuTopologyAnnotation} gives the islands");
        }

        return new NodeView
        {
            Node = new Node
            {
                Name = name,
                CpuMilli = cpu,
                MemoryMiB = memory,
                GpuCount = gpus,
                GpuModel = model,
                GpuMemoryMiB = gpuMemory,
                Sharing = sharing,
                Labels = labels,
                Taints = taints,
                NvlinkIslandSize = topology is null ? islandSize : null,
                Topology = topology,
                CachedDatasets = DatasetAnnotations.CachedBy(labels),
            },
            Schedulable = reason is null,
            UnschedulableReason = reason,
            GpusUnhealthy = gpusUnhealthy,
            UnhealthyGpus = unhealthy,
            TerminationNotice = TerminationTaints.Notice(taints) ?? TerminationConditions.Notice(node, terminationConditions),
            Warnings = warnings,
        };
    }

    private static ResourceQuantity? Resource(V1Node node, string resource) =>
        node.Status?.Allocatable is { } allocatable && allocatable.TryGetValue(resource, out var a) ? a
        : node.Status?.Capacity is { } capacity && capacity.TryGetValue(resource, out var c) ? c
        : null;

    private static long Capacity(V1Node node, string resource, ResourceKind kind, List<string> warnings)
    {
        var quantity = Resource(node, resource);
        if (quantity is null)
        {
            warnings.Add($"status.allocatable has no {resource}; the node is taken to have none");
            return 0;
        }

        if (!Quantities.TryConvert(quantity, kind, roundUp: false, out var value) || value < 0)
        {
            warnings.Add($"status.allocatable {resource} is '{quantity}', which Berth cannot read; the node is taken to have none");
            return 0;
        }

        return value;
    }

    private static int GpuCount(V1Node node, List<string> warnings)
    {
        var quantity = Resource(node, KubernetesNames.GpuResource);
        if (quantity is null)
        {
            return 0;
        }

        if (!Quantities.TryConvert(quantity, ResourceKind.Gpu, roundUp: false, out var milli) || milli < 0)
        {
            warnings.Add($"status.allocatable {KubernetesNames.GpuResource} is '{quantity}', which Berth cannot read; the node is taken to have no GPUs");
            return 0;
        }

        var count = milli / Limits.GpuMilliPerGpu;
        if (count > Limits.MaxGpusPerNode)
        {
            warnings.Add($"the node reports {count} GPUs; Berth uses the first {Limits.MaxGpusPerNode}, its limit per node");
            return Limits.MaxGpusPerNode;
        }

        return (int)count;
    }

    private static string GpuModel(IReadOnlyDictionary<string, string> labels, List<string> warnings)
    {
        if (labels.TryGetValue(KubernetesNames.GpuModelLabel, out var explicitModel) && !string.IsNullOrWhiteSpace(explicitModel))
        {
            return explicitModel;
        }

        foreach (var label in new[] { KubernetesNames.GpuProductLabel, KubernetesNames.GkeAcceleratorLabel })
        {
            if (labels.TryGetValue(label, out var product) && !string.IsNullOrWhiteSpace(product))
            {
                return GpuModelNames.FromProduct(product);
            }
        }

        warnings.Add($"the node has GPUs but none of the labels {KubernetesNames.GpuModelLabel}, {KubernetesNames.GpuProductLabel}, {KubernetesNames.GkeAcceleratorLabel}; its GPU model is '{UnknownGpuModel}' (install GPU Feature Discovery or label the node)");
        return UnknownGpuModel;
    }

    private static long GpuMemory(IReadOnlyDictionary<string, string> labels, string model, List<string> warnings)
    {
        if (labels.TryGetValue(KubernetesNames.GpuMemoryLabel, out var text))
        {
            if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var mib))
            {
                return mib;
            }

            warnings.Add($"label {KubernetesNames.GpuMemoryLabel} is '{text}', not a number of MiB; it is ignored");
        }

        return GpuModelCatalog.Default.TryGet(model, out var info) ? info.MemoryMiB : 0;
    }

    private static int[] UnhealthyGpus(string? annotation, int gpus, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(annotation))
        {
            return [];
        }

        if (!ModelMapping.TryIntList(annotation, out var indices))
        {
            warnings.Add($"annotation {KubernetesNames.UnhealthyGpusAnnotation} is '{annotation}'; write GPU indices separated by commas, e.g. 0,3; it is ignored");
            return [];
        }

        var result = new SortedSet<int>();
        foreach (var index in indices)
        {
            if (index < 0 || index >= gpus)
            {
                warnings.Add($"annotation {KubernetesNames.UnhealthyGpusAnnotation} names GPU {index}, but {(gpus == 0 ? "the node has no GPUs" : $"the node has GPUs 0 to {gpus - 1}")}; it is ignored");
                continue;
            }

            result.Add(index);
        }

        return result.ToArray();
    }

    /// <summary>The label <c>berth.dev/nvlink-island-size</c>: GPUs per NVLink island; a value that does not divide the GPU count is ignored with a warning.</summary>
    private static int? IslandSize(IReadOnlyDictionary<string, string> labels, int gpus, List<string> warnings)
    {
        if (!labels.TryGetValue(KubernetesNames.NvlinkIslandSizeLabel, out var text))
        {
            return null;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) && size >= 1 && gpus > 0 && gpus % size == 0)
        {
            return size;
        }

        warnings.Add($"label {KubernetesNames.NvlinkIslandSizeLabel}={text} is not a number of GPUs that divides the node's {gpus}; the node's GPUs are taken as one island");
        return null;
    }
}
