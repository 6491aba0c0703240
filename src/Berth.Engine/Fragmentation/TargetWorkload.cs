using Berth.Model;

namespace Berth.Engine.Fragmentation;

/// <summary>
/// The "typical pods" that fragmentation is measured against: the most common pod types that together
/// cover a share (95% by default) of a pod list, with renormalised probabilities. A GPU fragment is
/// free GPU capacity that these pods could not use.
/// </summary>
public sealed class TargetWorkload
{
    public TargetWorkload(IReadOnlyList<WorkloadType> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        if (types.Count == 0)
        {
            throw new ArgumentException("a target workload needs at least one pod type", nameof(types));
        }

        Types = types;
    }

    public IReadOnlyList<WorkloadType> Types { get; }

    /// <summary>The number of distinct types in the source list, before the coverage cut.</summary>
    public int SourceTypeCount { get; private init; }

    /// <summary>
    /// Builds the target workload from a pod list: key pods by (cpu, gpu share, GPU count, allowed models),
    /// count them, sort by count descending (ties: smaller cpu, smaller share, fewer GPUs, model string),
    /// keep the shortest prefix covering <paramref name="coverage"/> of the pods, renormalise.
    /// </summary>
    public static TargetWorkload FromPods(IEnumerable<Pod> pods, double coverage = 0.95)
    {
        ArgumentNullException.ThrowIfNull(pods);
        if (coverage is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "coverage must be in (0, 1]");
        }

        var counts = new Dictionary<(long Cpu, int Milli, int Count, string Models), int>();
        var memory = new Dictionary<(long Cpu, int Milli, int Count, string Models), List<long>>();
        var total = 0;
        foreach (var pod in pods)
        {
            var models = pod.AllowedGpuModels.Count == 0
                ? string.Empty
                : string.Join('|', pod.AllowedGpuModels.Order(StringComparer.Ordinal));
            var key = (pod.CpuMilli, pod.GpuCount == 0 ? 0 : pod.GpuMilli, pod.GpuCount, models);
            counts[key] = counts.GetValueOrDefault(key) + 1;
            if (!memory.TryGetValue(key, out var list))
            {
                memory[key] = list = [];
            }

            list.Add(pod.MemoryMiB);
            total++;
        }

        if (total == 0)
        {
            throw new ArgumentException("the pod list is empty; the target workload needs pods", nameof(pods));
        }

        var sorted = counts
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key.Cpu)
            .ThenBy(kv => kv.Key.Milli)
            .ThenBy(kv => kv.Key.Count)
            .ThenBy(kv => kv.Key.Models, StringComparer.Ordinal)
            .ToArray();
        var needed = coverage * total;
        var kept = new List<KeyValuePair<(long Cpu, int Milli, int Count, string Models), int>>();
        var covered = 0;
        foreach (var entry in sorted)
        {
            kept.Add(entry);
            covered += entry.Value;
            if (covered >= needed - 1e-9)
            {
                break;
            }
        }

        var types = kept.Select(kv => new WorkloadType(
                kv.Key.Cpu,
                kv.Key.Milli,
                kv.Key.Count,
                kv.Key.Models.Length == 0 ? [] : kv.Key.Models.Split('|'),
                (double)kv.Value / covered) { Count = kv.Value, MemoryMiB = Median(memory[kv.Key]) })
            .ToArray();
        return new TargetWorkload(types) { SourceTypeCount = counts.Count };
    }

    private static long Median(List<long> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
