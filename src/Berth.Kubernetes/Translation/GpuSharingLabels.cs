using System.Globalization;
using Berth.Model;
using Berth.Model.Gpus;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Reads how a node's GPUs are shared from what NVIDIA's device plugin and GPU Feature Discovery publish
/// (labels documented in the device plugin's <c>docs/gpu-feature-discovery/README.md</c>, "Generated Labels"):
/// <list type="bullet">
/// <item><c>nvidia.com/gpu.replicas</c> above 1: time-sliced with that many replicas, or MPS clients when
/// <c>nvidia.com/gpu.sharing-strategy</c> is <c>mps</c>.</item>
/// <item><c>nvidia.com/mig-&lt;profile&gt;</c> in <c>status.allocatable</c>, with <c>nvidia.com/mig.strategy</c> <c>mixed</c> or absent:
/// MIG, with the allocatable instance counts spread over the node's GPUs into layouts NVIDIA allows.</item>
/// <item><c>nvidia.com/mig.strategy</c> <c>single</c> with a product such as <c>A100-SXM4-40GB-MIG-1g.5gb</c>: every GPU
/// is cut into instances of that one profile, advertised as <c>nvidia.com/gpu</c> (GFD then overrides <c>gpu.count</c>
/// and <c>gpu.memory</c> with the instances' figures); the physical GPUs are the instances over the profile's most per
/// GPU, rounded up.</item>
/// </list>
/// The physical GPU count comes from <c>nvidia.com/gpu.count</c>, since both advertise more devices than GPUs.
/// What cannot be read is never fatal: the node is kept without that sharing, with a warning naming the label
/// or resource and the fix, so that pods asking for it wait rather than land on a wrong node.
/// </summary>
internal static class GpuSharingLabels
{
    /// <summary>The marker GFD puts between the GPU's product and the MIG profile under the single strategy.</summary>
    private const string MigProductMarker = "-MIG-";

    /// <summary>The GPU's own product name: <c>A100-SXM4-40GB-MIG-1g.5gb</c> gives <c>A100-SXM4-40GB</c>; other names unchanged.</summary>
    public static string BaseProduct(string product)
    {
        ArgumentNullException.ThrowIfNull(product);
        var at = product.IndexOf(MigProductMarker, StringComparison.OrdinalIgnoreCase);
        return at > 0 ? product[..at] : product;
    }

    /// <summary>The MIG profile a single-strategy product names (<c>A100-SXM4-40GB-MIG-1g.5gb</c> gives <c>1g.5gb</c>); null for other names.</summary>
    public static string? SingleStrategyProfile(string? product)
    {
        var at = product?.IndexOf(MigProductMarker, StringComparison.OrdinalIgnoreCase) ?? -1;
        return at > 0 && product!.Length > at + MigProductMarker.Length ? product[(at + MigProductMarker.Length)..] : null;
    }

    /// <summary>The single strategy's profile of the node (label <c>nvidia.com/mig.strategy=single</c> and a MIG product); null otherwise.</summary>
    public static string? SingleProfile(IReadOnlyDictionary<string, string> labels) =>
        Strategy(labels) == "single" ? SingleStrategyProfile(labels.GetValueOrDefault(KubernetesNames.GpuProductLabel)) : null;

    /// <summary>The physical GPUs of the node: <c>nvidia.com/gpu.count</c> when the node shares them, else <paramref name="advertised"/>.</summary>
    public static int PhysicalGpus(V1Node node, IReadOnlyDictionary<string, string> labels, int advertised, List<string> warnings)
    {
        if (SingleProfile(labels) is { } single)
        {
            var model = GpuModelNames.FromProduct(labels[KubernetesNames.GpuProductLabel]);
            if (MigGeometries.TryGet(labels.GetValueOrDefault(KubernetesNames.GpuModelLabel) ?? model, out var geometry) && geometry.TryGetProfile(single, out var profile))
            {
                var instances = SingleDevices(node);
                return instances <= (long)Limits.MaxGpusPerNode * profile.MaxInstances ? (instances + profile.MaxInstances - 1) / profile.MaxInstances : advertised;
            }

            warnings.Add($"label {KubernetesNames.GpuProductLabel} names MIG profile '{single}' under the single strategy, which GPU model '{model}' does not have in Berth; MIG on this node is not used");
            return advertised;
        }

        var mig = IsMig(node, labels);
        var replicas = Replicas(labels, warnings);
        if (!mig && replicas <= 1)
        {
            return advertised;
        }

        if (labels.TryGetValue(KubernetesNames.GpuCountLabel, out var text))
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is > 0 and <= Limits.MaxGpusPerNode)
            {
                return count;
            }

            warnings.Add($"label {KubernetesNames.GpuCountLabel} is '{text}'; it must be the node's physical GPUs, 1 to {Limits.MaxGpusPerNode} (GPU Feature Discovery sets it); the node's GPU sharing is ignored");
            return advertised;
        }

        if (mig)
        {
            warnings.Add($"the node advertises MIG devices but has no label {KubernetesNames.GpuCountLabel}; install GPU Feature Discovery or set the label to the physical GPU count; MIG on this node is not used");
            return advertised;
        }

        // Time-slicing without GFD's count: the device plugin advertises GPUs x replicas.
        var devices = advertised > 0 ? advertised : SharedDevices(node);
        return devices / replicas;
    }

    /// <summary>
    /// The node's sharing for <paramref name="gpus"/> physical GPUs of <paramref name="model"/>; <see cref="GpuSharing.Exclusive"/>
    /// (with a warning) when the labels or resources are not a sharing Berth can use.
    /// </summary>
    public static GpuSharing Read(V1Node node, IReadOnlyDictionary<string, string> labels, int gpus, string? model, long gpuMemoryMiB, List<string> warnings)
    {
        var strategy = Strategy(labels);
        if (strategy is not (null or "none" or "single" or "mixed"))
        {
            warnings.Add($"label {KubernetesNames.MigStrategyLabel} is '{strategy}'; the device plugin's strategies are none, single and mixed; MIG on this node is not used");
        }

        if (gpus == 0)
        {
            return GpuSharing.Exclusive;
        }

        var instances = MigResources(node);
        GpuSharing sharing;
        if (SingleProfile(labels) is { } single)
        {
            sharing = Mig(new SortedDictionary<string, string>(StringComparer.Ordinal) { [single] = SingleDevices(node).ToString(CultureInfo.InvariantCulture) }, gpus, model, warnings) ?? GpuSharing.Exclusive;
        }
        else if (IsMig(node, labels))
        {
            sharing = Mig(instances, gpus, model, warnings) ?? GpuSharing.Exclusive;
            if (sharing.Mode == GpuSharingMode.Mig && node.Status?.Allocatable?.TryGetValue(GpuResourceNames.Gpu, out var whole) == true && whole?.ToString() is { } text && text != "0")
            {
                warnings.Add($"the node advertises {text} whole {GpuResourceNames.Gpu} beside its MIG devices; Berth places only MIG instances on it (use MIG on every GPU of a node, or none)");
            }
        }
        else if (Replicas(labels, warnings: null) is var replicas and > 1)
        {
            var mode = labels.GetValueOrDefault(KubernetesNames.GpuSharingStrategyLabel);
            switch (mode)
            {
                case null or "time-slicing":
                    sharing = GpuSharing.TimeSliced(replicas);
                    break;
                case "mps":
                    sharing = GpuSharing.Mps(replicas);
                    break;
                case "none":
                    return GpuSharing.Exclusive;
                default:
                    warnings.Add($"label {KubernetesNames.GpuSharingStrategyLabel} is '{mode}'; use time-slicing, mps or none; the node's GPUs are treated as unshared");
                    return GpuSharing.Exclusive;
            }
        }
        else
        {
            return GpuSharing.Exclusive;
        }

        if (sharing.Problem(gpus, model, gpuMemoryMiB) is { } problem)
        {
            warnings.Add($"the node's GPU sharing ({sharing}) cannot be used: {problem}; the node's GPUs are treated as unshared");
            return GpuSharing.Exclusive;
        }

        return sharing;
    }

    /// <summary>
    /// True when the node offers MIG devices under the mixed strategy: allocatable <c>nvidia.com/mig-*</c>, with the
    /// strategy label <c>mixed</c> or absent. A node labelled <c>mixed</c> without MIG devices has whole GPUs only.
    /// </summary>
    private static bool IsMig(V1Node node, IReadOnlyDictionary<string, string> labels) =>
        Strategy(labels) is null or "mixed" && MigResources(node).Count > 0;

    private static string? Strategy(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(KubernetesNames.MigStrategyLabel, out var text) ? text : null;

    /// <summary>The label <c>nvidia.com/gpu.replicas</c>: 1 when absent; a bad value warns (when <paramref name="warnings"/> is given: once per node, from <see cref="PhysicalGpus"/>) and counts as 1.</summary>
    private static int Replicas(IReadOnlyDictionary<string, string> labels, List<string>? warnings)
    {
        if (!labels.TryGetValue(KubernetesNames.GpuReplicasLabel, out var text))
        {
            return 1;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var replicas) && replicas is >= 1 and <= GpuSharing.MaxReplicas)
        {
            return replicas;
        }

        warnings?.Add($"label {KubernetesNames.GpuReplicasLabel} is '{text}'; write the replicas per GPU, 1 to {GpuSharing.MaxReplicas}; the node's GPUs are treated as unshared");
        return 1;
    }

    /// <summary>Allocatable <c>nvidia.com/gpu</c> under the single strategy: the MIG instances of the node, whole, at most a large bound.</summary>
    private static int SingleDevices(V1Node node) =>
        (node.Status?.Allocatable ?? node.Status?.Capacity) is { } allocatable && allocatable.TryGetValue(GpuResourceNames.Gpu, out var q) && q is not null
            ? (int)Math.Clamp(q.ToDecimal(), 0m, 10_000m)
            : 0;

    /// <summary>Allocatable <c>nvidia.com/gpu.shared</c>: time-sliced replicas advertised under the device plugin's <c>renameByDefault</c>.</summary>
    private static int SharedDevices(V1Node node) =>
        node.Status?.Allocatable is { } allocatable && allocatable.TryGetValue(GpuResourceNames.SharedGpu, out var q) && q is not null
            ? (int)Math.Clamp(q.ToDecimal(), 0m, Limits.MaxGpusPerNode * GpuSharing.MaxReplicas)
            : 0;

    /// <summary>Allocatable MIG devices by profile (<c>nvidia.com/mig-1g.10gb: 7</c> gives <c>1g.10gb</c>: 7), ordinal order; counts of 0 left out.</summary>
    private static SortedDictionary<string, string> MigResources(V1Node node)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var allocatable = node.Status?.Allocatable ?? node.Status?.Capacity;
        foreach (var (name, quantity) in allocatable ?? new Dictionary<string, ResourceQuantity>())
        {
            if (GpuResourceNames.MigProfileOf(name) is { } profile && quantity?.ToString() is { } text && text != "0")
            {
                result[profile] = text;
            }
        }

        return result;
    }

    /// <summary>
    /// One layout per GPU holding the allocatable instances: largest profiles first, each on the first GPU where
    /// NVIDIA's geometry still has a placement for it. Null (with a warning) when the model has no MIG geometry,
    /// a profile is unknown, a count is unreadable, or the instances do not fit the node's GPUs.
    /// </summary>
    private static GpuSharing? Mig(SortedDictionary<string, string> resources, int gpus, string? model, List<string> warnings)
    {
        if (model is null || !MigGeometries.TryGet(model, out var geometry))
        {
            warnings.Add($"label {KubernetesNames.GpuProductLabel} gives GPU model '{model ?? "(none)"}', which has no MIG geometry in Berth (known: {string.Join(", ", MigGeometries.Models)}); set {KubernetesNames.GpuModelLabel} to one of those; MIG on this node is not used");
            return null;
        }

        var wanted = new List<MigProfile>();
        foreach (var (name, text) in resources)
        {
            if (!geometry.TryGetProfile(name, out var profile))
            {
                warnings.Add($"status.allocatable {GpuResourceNames.MigPrefix}{name} is not a MIG profile of {model}; its profiles are {geometry.ProfileNames}; check the node's mig.config; MIG on this node is not used");
                return null;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > gpus * geometry.MaxInstances)
            {
                warnings.Add($"status.allocatable {GpuResourceNames.MigPrefix}{name} is '{text}'; it must be a count of instances, at most {gpus * geometry.MaxInstances} on {gpus} GPUs; MIG on this node is not used");
                return null;
            }

            wanted.AddRange(Enumerable.Repeat(profile, count));
        }

        var layouts = Enumerable.Range(0, gpus).Select(_ => new List<MigInstance>()).ToArray();
        var placed = new MigLayout[gpus];
        Array.Fill(placed, MigLayout.Empty);
        foreach (var profile in wanted.OrderByDescending(p => p.MemorySlices).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var fitted = false;
            for (var g = 0; g < gpus && !fitted; g++)
            {
                var candidate = new MigLayout([.. layouts[g], new MigInstance(profile.Name, null)]);
                if (geometry.TryArrange(candidate, out var arranged, out _))
                {
                    layouts[g].Add(new MigInstance(profile.Name, null));
                    placed[g] = arranged;
                    fitted = true;
                }
            }

            if (!fitted)
            {
                var all = string.Join(", ", resources.Select(r => $"{GpuResourceNames.MigPrefix}{r.Key}: {r.Value}"));
                warnings.Add($"status.allocatable ({all}) does not fit {gpus} {model} GPUs ({KubernetesNames.GpuCountLabel}) in any layout NVIDIA allows; check the label and the node's mig.config; MIG on this node is not used");
                return null;
            }
        }

        return GpuSharing.Mig(placed);
    }
}
