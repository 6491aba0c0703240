using Berth.Engine.Sharing;
using Berth.Model;
using Berth.Model.Gpus;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// The shared-GPU part of a pod's request, summed over its app containers (limits, else requests, as for
/// extended resources): MIG instances of one profile (<c>nvidia.com/mig-&lt;profile&gt;</c>), time-sliced replicas
/// (<c>nvidia.com/gpu.shared</c>) and GPU memory on one GPU (<c>berth.dev/gpu-memory</c>, a quantity).
/// </summary>
/// <param name="MigProfile">The MIG profile asked for; null when none.</param>
/// <param name="MigCount">MIG instances of <paramref name="MigProfile"/>.</param>
/// <param name="Replicas">Time-sliced replicas.</param>
/// <param name="MemoryMiB">GPU memory, MiB rounded up.</param>
internal sealed record SharedGpuRequests(string? MigProfile, int MigCount, int Replicas, long MemoryMiB)
{
    private static readonly SharedGpuRequests None = new(null, 0, 0, 0);

    /// <summary>Every MIG profile of Berth's built-in geometries, for error messages and the check of a request.</summary>
    private static readonly string[] KnownProfiles = MigGeometries.Models
        .SelectMany(m => MigGeometries.TryGet(m, out var g) ? g.Profiles.Select(p => p.Name) : [])
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Reads the request. On a request Berth cannot place (an unknown profile, two profiles, two kinds of GPU,
    /// too many instances, a fraction) sets <paramref name="error"/> (when not set yet) naming the resource and the
    /// fix, and returns no shared request, so that the pod is reported rather than placed.
    /// </summary>
    public static SharedGpuRequests Read(V1PodSpec spec, long gpuCount, ref string? error)
    {
        var totals = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var container in spec.Containers ?? [])
        {
            var resources = container?.Resources;
            foreach (var name in (resources?.Limits?.Keys ?? []).Concat(resources?.Requests?.Keys ?? []).Distinct(StringComparer.Ordinal))
            {
                if (name != GpuResourceNames.SharedGpu && name != GpuResourceNames.GpuMemory && GpuResourceNames.MigProfileOf(name) is null)
                {
                    continue;
                }

                var quantity = resources!.Limits?.TryGetValue(name, out var l) == true ? l : resources.Requests![name];
                totals[name] = totals.GetValueOrDefault(name) + (quantity?.ToDecimal() ?? 0m);
            }
        }

        var problem = Problem(totals, gpuCount);
        if (problem is not null)
        {
            error ??= problem;
            return None;
        }

        var mig = totals.Where(t => t.Key.StartsWith(GpuResourceNames.MigPrefix, StringComparison.Ordinal) && t.Value > 0).ToArray();
        var memory = totals.GetValueOrDefault(GpuResourceNames.GpuMemory);
        return new SharedGpuRequests(
            mig.Length == 1 ? GpuResourceNames.MigProfileOf(mig[0].Key) : null,
            mig.Length == 1 ? (int)mig[0].Value : 0,
            (int)totals.GetValueOrDefault(GpuResourceNames.SharedGpu),
            (long)decimal.Ceiling(memory / (1024m * 1024m)));
    }

    private static string? Problem(SortedDictionary<string, decimal> totals, long gpuCount)
    {
        var mig = totals.Where(t => t.Key.StartsWith(GpuResourceNames.MigPrefix, StringComparison.Ordinal) && t.Value > 0).ToArray();
        foreach (var (name, value) in mig)
        {
            var profile = GpuResourceNames.MigProfileOf(name)!;
            if (Array.BinarySearch(KnownProfiles, profile, StringComparer.Ordinal) < 0)
            {
                return $"resource {name} is not a MIG profile Berth knows; ask for one of {string.Join(", ", KnownProfiles.Select(p => GpuResourceNames.MigPrefix + p))}";
            }

            if (value != decimal.Truncate(value) || value > SharedGpus.MaxMigInstancesPerPod)
            {
                return $"resource {name} is {value}; ask for a whole number of instances, 1 to {SharedGpus.MaxMigInstancesPerPod} per pod (split larger requests into several pods)";
            }
        }

        if (mig.Length > 1)
        {
            return $"the pod asks for MIG instances of {mig.Length} profiles ({string.Join(", ", mig.Select(m => m.Key))}); ask for one profile per pod";
        }

        var replicas = totals.GetValueOrDefault(GpuResourceNames.SharedGpu);
        if (replicas < 0 || replicas != decimal.Truncate(replicas) || replicas > GpuSharing.MaxReplicas)
        {
            return $"resource {GpuResourceNames.SharedGpu} is {replicas}; ask for a whole number of time-sliced replicas, 1 to {GpuSharing.MaxReplicas}";
        }

        var kinds = (gpuCount > 0 ? 1 : 0) + (mig.Length > 0 ? 1 : 0) + (replicas > 0 ? 1 : 0);
        if (kinds > 1)
        {
            return $"the pod asks for more than one kind of GPU ({GpuResourceNames.Gpu} or a share, {GpuResourceNames.MigPrefix}<profile>, {GpuResourceNames.SharedGpu}); ask for one kind";
        }

        var memory = totals.GetValueOrDefault(GpuResourceNames.GpuMemory);
        if (memory < 0 || memory > Limits.MaxGpusPerNode * 1024m * 1024m * 1024m * 1024m)
        {
            return $"resource {GpuResourceNames.GpuMemory} is {memory} bytes; give the GPU memory the pod needs on one GPU, such as 20Gi";
        }

        if (memory > 0 && (mig.Length > 0 || kinds == 0))
        {
            return mig.Length > 0
                ? $"resource {GpuResourceNames.GpuMemory} is set with {mig[0].Key}; the MIG profile fixes the memory, so remove {GpuResourceNames.GpuMemory}"
                : $"resource {GpuResourceNames.GpuMemory} is set but the pod asks for no GPU; add {GpuResourceNames.SharedGpu} or a share, or remove {GpuResourceNames.GpuMemory}";
        }

        return null;
    }
}
