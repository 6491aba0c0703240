using System.Globalization;
using Berth.Model;
using Berth.Model.Gpus;

namespace Berth.Server.Jobs;

/// <summary>
/// A pod set's <c>resources</c>: the GPU requests written with Kubernetes' resource names, the same names a pod on
/// Kubernetes and a scenario file use (<see cref="GpuResourceNames"/>). Every error names the field
/// (<c>podSets[0].resources.nvidia.com/mig-3g.40gb</c>) and the fix.
/// </summary>
internal static class JobResources
{
    private static readonly string[] Known =
    [
        GpuResourceNames.Gpu, GpuResourceNames.MigPrefix + "<profile>", GpuResourceNames.SharedGpu, GpuResourceNames.GpuShare, GpuResourceNames.GpuMemory,
    ];

    /// <summary><paramref name="pod"/> with the GPU requests of <paramref name="resources"/> (its GPU fields are replaced).</summary>
    public static Pod Apply(Pod pod, IReadOnlyDictionary<string, string> resources, string path)
    {
        var result = pod with { GpuCount = 0, GpuMilli = 0 };
        foreach (var (name, text) in resources)
        {
            var field = $"{path}.resources.{name}";
            if (name == GpuResourceNames.GpuMemory)
            {
                result = result with { GpuMemoryMiB = Memory(text, field) };
                continue;
            }

            var amount = Count(text, field);
            result = name switch
            {
                GpuResourceNames.Gpu => result with { GpuCount = amount, GpuMilli = result.GpuMilli == 0 ? Limits.GpuMilliPerGpu : result.GpuMilli },
                GpuResourceNames.GpuShare => result with { GpuCount = 1, GpuMilli = amount },
                GpuResourceNames.SharedGpu => result with { SharedGpuReplicas = amount },
                _ when GpuResourceNames.MigProfileOf(name) is { } profile => result with { MigProfile = Profile(profile, field), MigCount = amount },
                _ => throw new JobSpecException(field, $"{field}: '{name}' is not a GPU resource Berth knows; use one of {string.Join(", ", Known)}"),
            };
        }

        try
        {
            result.Validate();
        }
        catch (ArgumentException e)
        {
            throw new JobSpecException(path + ".resources", $"{path}.resources: {e.Message.Split(" (Parameter")[0]}");
        }

        return result;
    }

    private static int Count(string text, string field) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 10_000
            ? n
            : throw new JobSpecException(field, $"{field} is '{text}'; give a whole number of 1 or more, such as \"1\"");

    private static string Profile(string profile, string field)
    {
        foreach (var model in MigGeometries.Models)
        {
            if (MigGeometries.TryGet(model, out var geometry) && geometry.TryGetProfile(profile, out _))
            {
                return profile;
            }
        }

        var all = MigGeometries.Models.SelectMany(m => MigGeometries.TryGet(m, out var g) ? g.ProfileNames.Split(", ") : []).Distinct().Order(StringComparer.Ordinal);
        throw new JobSpecException(field, $"{field}: MIG profile '{profile}' is not one of NVIDIA's ({string.Join(", ", all)}); write it as nvidia.com/mig-3g.40gb");
    }

    /// <summary>GPU memory in MiB from a Kubernetes quantity with Mi, Gi or Ti (<c>20Gi</c>).</summary>
    private static long Memory(string text, string field)
    {
        var (digits, factor) = text.EndsWith("Ti", StringComparison.Ordinal) ? (text[..^2], 1024L * 1024)
            : text.EndsWith("Gi", StringComparison.Ordinal) ? (text[..^2], 1024L)
            : text.EndsWith("Mi", StringComparison.Ordinal) ? (text[..^2], 1L)
            : (string.Empty, 0L);
        return factor > 0 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= 1024L * 1024 * 1024 / factor
            ? n * factor
            : throw new JobSpecException(field, $"{field} is '{text}'; give GPU memory with Mi, Gi or Ti, such as \"20Gi\"");
    }
}
