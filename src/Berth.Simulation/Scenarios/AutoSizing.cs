using System.Globalization;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Input;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Derives what a scenario leaves to <c>auto</c>. Offered GPU load = sum over workloads of GPUs x duration,
/// divided by the span of submit times (last minus first submit), over every workload of the scenario.
/// A <c>count: auto</c> node group gets <c>ceil(offered / (targetLoad x gpusPerNode))</c> nodes; queue GPU quotas
/// written <c>nominal: auto</c> split a flavor's GPUs (less the fixed GPU quotas of other queues in it) in
/// proportion to each queue's offered load, in whole GPUs, by largest remainder (ties: file order).
/// All arithmetic on loads is exact (integer milli-GPU-seconds), so the result does not depend on rounding.
/// </summary>
internal static class AutoSizing
{
    /// <summary>Sum of GPU milli x duration seconds, and the submit span in seconds (0 when one submit time).</summary>
    public static (Int128 MilliGpuSeconds, long SpanSeconds) Load(IEnumerable<Workload> workloads)
    {
        Int128 total = 0;
        long first = long.MaxValue, last = long.MinValue;
        foreach (var w in workloads)
        {
            var submit = (long)w.SubmitTime.TotalSeconds;
            first = Math.Min(first, submit);
            last = Math.Max(last, submit);
            if (w.Duration is { } d)
            {
                total += (Int128)GpuMilli(w) * (long)d.TotalSeconds;
            }
        }

        return (total, first == long.MaxValue ? 0 : last - first);
    }

    public static long GpuMilli(Workload w)
    {
        long total = 0;
        foreach (var set in w.PodSets)
        {
            total += set.Template.GpuDemandMilli * set.Count;
        }

        return total;
    }

    public static void SizeGroups(ClusterSection cluster, IReadOnlyList<Workload> workloads, List<string> notes)
    {
        var index = cluster.Groups.FindIndex(g => g.Auto);
        if (index < 0)
        {
            return;
        }

        var (group, fields, _) = cluster.Groups[index];
        var (load, span) = Load(workloads);
        if (span == 0 || load == 0)
        {
            throw fields.Error("count", $"'count: auto' needs an offered GPU load, but {(span == 0 ? "every workload is submitted at the same time (the span of submit times is 0)" : "no workload has GPUs and a duration")}; give a number of nodes instead");
        }

        var target = (decimal)cluster.TargetLoad!.Value;
        var offered = (decimal)load / 1000m / span;
        var count = (long)decimal.Ceiling(offered / (target * group.GpusPerNode));
        if (count > 1_000_000)
        {
            throw fields.Error("count", $"'count: auto' gives {count} nodes, more than 1,000,000; raise targetLoad or check the workloads' durations");
        }

        cluster.Groups[index] = (group with { Count = (int)count }, fields, true);
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"cluster: {count} nodes of {group.GpusPerNode} GPUs (node group {group.Name}) for offered load {offered:0.0} GPUs at target {cluster.TargetLoad.Value:0.###}"));
    }

    public static void SizeNominals(QueueingSection queueing, IReadOnlyList<Node> nodes, IReadOnlyList<Workload> workloads, List<string> notes)
    {
        if (queueing.AutoNominals.Count == 0)
        {
            return;
        }

        var (_, span) = Load(workloads);
        var perQueue = new Dictionary<string, Int128>(StringComparer.Ordinal);
        foreach (var w in workloads)
        {
            if (w.Duration is { } d)
            {
                perQueue[w.Queue] = perQueue.GetValueOrDefault(w.Queue) + (Int128)GpuMilli(w) * (long)d.TotalSeconds;
            }
        }

        foreach (var flavor in queueing.Flavors)
        {
            var autos = queueing.AutoNominals.Where(a => string.Equals(queueing.Queues[a.Queue].Flavors[a.Flavor].Flavor, flavor.Name, StringComparison.Ordinal)).ToArray();
            if (autos.Length == 0)
            {
                continue;
            }

            long capacityMilli = nodes.Where(flavor.Matches).Sum(n => (long)n.GpuCount) * Limits.GpuMilliPerGpu;
            // Auto quotas are 0 until set here, so this sums the fixed quotas only.
            long fixedMilli = queueing.Queues
                .SelectMany(q => q.Flavors)
                .Where(f => string.Equals(f.Flavor, flavor.Name, StringComparison.Ordinal))
                .Sum(f => f.Gpu?.Nominal ?? 0);

            var free = (capacityMilli - fixedMilli) / Limits.GpuMilliPerGpu;
            if (free < 0)
            {
                throw autos[0].Gpu.Error("nominal", $"flavor {flavor.Name} has {capacityMilli / 1000} GPUs but the fixed GPU quotas of other queues in it add up to {Resources.Format(ResourceKind.Gpu, fixedMilli)}; nothing is left to split, so lower those quotas or add nodes");
            }

            var weights = autos.Select(a => perQueue.GetValueOrDefault(queueing.Queues[a.Queue].Name)).ToArray();
            var shares = LargestRemainder(free, weights);
            Int128 totalWeight = 0;
            foreach (var weight in weights)
            {
                totalWeight += weight;
            }

            for (var i = 0; i < autos.Length; i++)
            {
                var (qi, fi, _) = autos[i];
                var queue = queueing.Queues[qi];
                var quotas = queue.Flavors.ToArray();
                var old = quotas[fi].Gpu!;
                quotas[fi] = quotas[fi] with { Gpu = old with { Nominal = shares[i] * Limits.GpuMilliPerGpu } };
                queueing.Queues[qi] = queue with { Flavors = quotas };
                var offered = span > 0 ? (double)weights[i] / 1000.0 / span : 0;
                var percent = totalWeight > 0 ? (double)weights[i] * 100.0 / (double)totalWeight : 100.0 / autos.Length;
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"queue {queue.Name}, flavor {flavor.Name}: nominal {shares[i]} GPUs of {free} for offered load {offered:0.0} GPUs ({percent:0.0}% of the auto queues' load)"));
            }
        }
    }

    /// <summary>
    /// Splits <paramref name="total"/> in proportion to <paramref name="weights"/> in whole units summing to it:
    /// floors first, then one more unit each to the largest remainders (ties: lower index). All-zero weights split equally.
    /// </summary>
    public static long[] LargestRemainder(long total, IReadOnlyList<Int128> weights)
    {
        var w = weights.Any(x => x > 0) ? weights.ToArray() : weights.Select(_ => (Int128)1).ToArray();
        Int128 sum = 0;
        foreach (var x in w)
        {
            sum += x;
        }

        var shares = new long[w.Length];
        var remainders = new Int128[w.Length];
        long given = 0;
        for (var i = 0; i < w.Length; i++)
        {
            var product = total * w[i];
            shares[i] = (long)(product / sum);
            remainders[i] = product % sum;
            given += shares[i];
        }

        var order = Enumerable.Range(0, w.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (var k = 0; given < total; k++, given++)
        {
            shares[order[k]]++;
        }

        return shares;
    }
}
