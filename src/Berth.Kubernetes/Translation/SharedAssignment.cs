using System.Globalization;
using Berth.Engine.Mig;
using Berth.Engine.Sharing;
using Berth.Model;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Where a bound shared-GPU pod's devices are, kept on the pod as whole GPUs keep theirs in
/// <c>berth.dev/gpu-indices</c>, so that a restarted Berth puts it back on the same devices:
/// MIG instances in <c>berth.dev/mig-instances</c> (<c>gpu:profile@start</c>, comma separated), time-sliced
/// replicas in <c>berth.dev/gpu-indices</c> alone (the GPU of each replica; no milli-GPU, a replica is not a share).
/// The engine's placement mask for such a pod is <see cref="MigMask"/>'s packing for MIG and a GPU bit mask for replicas.
/// </summary>
public static class SharedAssignment
{
    /// <summary>The annotations for <paramref name="request"/> placed with engine mask <paramref name="mask"/>; empty for a pod without shared GPUs.</summary>
    public static IReadOnlyDictionary<string, string> Annotations(Pod request, int mask)
    {
        ArgumentNullException.ThrowIfNull(request);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.IsMig)
        {
            annotations[KubernetesNames.MigInstancesAnnotation] = string.Join(',', Enumerable.Range(0, request.MigCount)
                .Select(k => string.Create(CultureInfo.InvariantCulture, $"{MigMask.Gpu(mask, k)}:{request.MigProfile}@{MigMask.Start(mask, k)}")));
        }
        else if (request.SharedGpuReplicas > 0)
        {
            annotations[KubernetesNames.GpuIndicesAnnotation] = string.Join(',', Berth.Runtime.Lifecycle.Gpus.Indices(mask));
        }

        return annotations;
    }

    /// <summary>
    /// The MIG instances of the annotation <c>berth.dev/mig-instances</c> for a pod asking for <paramref name="request"/>;
    /// empty (with a warning) when it is malformed or does not match the pod's profile and count.
    /// </summary>
    public static IReadOnlyList<MigPlacement> ReadMig(string? text, Pod request, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(warnings);
        if (text is null)
        {
            return [];
        }

        var result = new List<MigPlacement>();
        foreach (var entry in text.Split(','))
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var at = entry.LastIndexOf('@');
            if (colon < 0 || at < colon
                || !int.TryParse(entry[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var gpu) || gpu >= Limits.MaxGpusPerNode
                || !int.TryParse(entry[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var start) || start > 7
                || entry[(colon + 1)..at] != request.MigProfile)
            {
                warnings.Add($"annotation {KubernetesNames.MigInstancesAnnotation} is '{text}'; write gpu:profile@start for each instance of the pod's profile {request.MigProfile ?? "(none)"}, e.g. 0:1g.10gb@3; the assignment is ignored");
                return [];
            }

            result.Add(new MigPlacement(gpu, start));
        }

        if (result.Count != request.MigCount)
        {
            warnings.Add($"annotation {KubernetesNames.MigInstancesAnnotation} names {result.Count} instances but the pod asks for {request.MigCount}; the assignment is ignored");
            return [];
        }

        return result;
    }

    /// <summary>The engine mask of MIG instances, as <see cref="MigMask"/> packs them.</summary>
    public static int MaskOf(IReadOnlyList<MigPlacement> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var mask = 0;
        for (var k = 0; k < instances.Count; k++)
        {
            mask = MigMask.With(mask, k, instances[k].Gpu, instances[k].Start);
        }

        return mask;
    }
}
