using System.Globalization;
using Berth.Model;
using Berth.Simulation.Input;

namespace Berth.Simulation.Generation;

/// <summary>
/// Builds synthetic, production-shaped clusters and workloads from <see cref="GeneratorOptions"/>.
/// Deterministic: the only randomness is <see cref="Random"/> seeded from <see cref="GeneratorOptions.Seed"/>,
/// and nothing unordered is iterated, so the same options give the same nodes and pods, bit for bit.
/// Every generated pod is valid and fits on at least one empty node.
/// </summary>
public static class WorkloadGenerator
{
    private static readonly Weighted<long>[] CpuOnlyPodCpu = [new(500, 10), new(1_000, 20), new(2_000, 25), new(4_000, 25), new(8_000, 15), new(16_000, 5)];
    private static readonly Weighted<long>[] MemoryMiBPerCore = [new(1_024, 10), new(2_048, 30), new(4_096, 40), new(8_192, 20)];

    /// <summary>A cluster and a workload; the input is named <c>generated-{nodes}n-s{seed}</c>.</summary>
    public static SimulationInput Generate(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nodes = GenerateCluster(options);
        var pods = GeneratePods(options, nodes);
        return new SimulationInput(string.Create(CultureInfo.InvariantCulture, $"generated-{options.Nodes}n-s{options.Seed}"), nodes, pods);
    }

    /// <summary>
    /// The cluster alone (the same nodes <see cref="Generate"/> returns). GPU nodes are split exactly over
    /// model × GPUs-per-node by the mixes (largest remainder), laid out alike-next-to-alike, cut into racks,
    /// and the racks shuffled by the seed. Names are <c>node-00000</c>...; labels carry the rack, the NVLink
    /// domain (GPU nodes) and <see cref="TopologyKeys.GpuProduct"/>.
    /// </summary>
    public static IReadOnlyList<Node> GenerateCluster(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var random = new Random(options.Seed);

        var cpuOnly = (int)Math.Round(options.Nodes * options.CpuOnlyNodeFraction, MidpointRounding.ToEven);
        var cells = new List<(string Model, int Gpus, double Weight)>();
        var modelTotal = options.GpuModelMix.Sum(m => m.Weight);
        var gpuTotal = options.GpusPerNodeMix.Sum(g => g.Weight);
        foreach (var model in options.GpuModelMix)
        {
            foreach (var gpus in options.GpusPerNodeMix)
            {
                cells.Add((model.Value, gpus.Value, model.Weight / modelTotal * (gpus.Weight / gpuTotal)));
            }
        }

        var counts = Apportion(options.Nodes - cpuOnly, cells.Select(c => c.Weight).ToArray());
        var shapes = new List<(string? Model, int Gpus)>(options.Nodes);
        for (var i = 0; i < cells.Count; i++)
        {
            shapes.AddRange(Enumerable.Repeat<(string?, int)>((cells[i].Model, cells[i].Gpus), counts[i]));
        }

        shapes.AddRange(Enumerable.Repeat<(string?, int)>((null, 0), cpuOnly));

        var rackCount = (shapes.Count + options.RackSize - 1) / options.RackSize;
        var rackOrder = Enumerable.Range(0, rackCount).ToArray();
        random.Shuffle(rackOrder);

        var nodes = new List<Node>(shapes.Count);
        var nameWidth = Math.Max(5, (options.Nodes - 1).ToString(CultureInfo.InvariantCulture).Length);
        for (var rack = 0; rack < rackCount; rack++)
        {
            var first = rackOrder[rack] * options.RackSize;
            var last = Math.Min(first + options.RackSize, shapes.Count);
            var rackName = string.Create(CultureInfo.InvariantCulture, $"rack-{rack:D4}");
            for (var s = first; s < last; s++)
            {
                var (model, gpus) = shapes[s];
                var name = "node-" + nodes.Count.ToString("D" + nameWidth.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [TopologyKeys.Rack] = rackName };
                if (model is null)
                {
                    nodes.Add(new Node { Name = name, CpuMilli = options.CpuOnlyNodeCpuMilli, MemoryMiB = options.CpuOnlyNodeMemoryMiB, Labels = labels });
                    continue;
                }

                labels[TopologyKeys.NvlinkDomain] = string.Create(CultureInfo.InvariantCulture, $"{rackName}-nvl-{(s - first) / options.NvlinkDomainSize:D2}");
                labels[TopologyKeys.GpuProduct] = model;
                GpuModelCatalog.Default.TryGet(model, out var info);
                var cpuPerGpu = options.CpuMilliPerGpuMix.Count == 1 ? options.CpuMilliPerGpuMix[0].Value : Pick(random, options.CpuMilliPerGpuMix);
                nodes.Add(new Node
                {
                    Name = name,
                    CpuMilli = options.NodeBaseCpuMilli + cpuPerGpu * gpus,
                    MemoryMiB = options.NodeBaseMemoryMiB + options.MemoryMiBPerGpu * gpus,
                    GpuCount = gpus,
                    GpuModel = model,
                    GpuMemoryMiB = info.MemoryMiB,
                    Labels = labels,
                });
            }
        }

        return nodes;
    }

    private static TracePod[] GeneratePods(GeneratorOptions options, IReadOnlyList<Node> nodes)
    {
        // A stream of its own, so the pods do not shift when the cluster's draws change.
        var random = new Random(unchecked((options.Seed * 1_000_003) ^ 0x5bd1e995));
        var fit = new FitTable(nodes);
        var capacity = nodes.Sum(n => (long)n.GpuCount) * Limits.GpuMilliPerGpu;
        if (options.Pods is null && capacity == 0 && options.TargetPercent > 0)
        {
            throw new InputException("generator option TargetPercent needs GPU capacity, but the cluster has no GPUs; set Pods to a count, or lower CpuOnlyNodeFraction");
        }

        var target = (long)Math.Ceiling(capacity * options.TargetPercent / 100.0);
        var multi = options.MultiGpuMix.Where(m => m.Value <= fit.MaxGpus).ToArray();
        Weighted<int>[] kinds =
        [
            new(0, options.CpuOnlyPodWeight),
            new(1, fit.MaxGpus >= 1 ? options.SharingPodWeight : 0),
            new(2, fit.MaxGpus >= 1 ? options.WholeGpuPodWeight : 0),
            new(3, multi.Length > 0 ? options.MultiGpuPodWeight : 0),
        ];
        if (kinds.Sum(k => k.Weight) <= 0)
        {
            throw new InputException("generator option pod kind weights leave no pod this cluster can run; give CPU-only pods a weight, or add GPU nodes");
        }

        var pods = new List<Pod>();
        long demand = 0;
        while (options.Pods is { } count ? pods.Count < count : demand < target)
        {
            var pod = DrawPod(random, options, fit, kinds, multi, pods.Count);
            demand += pod.GpuDemandMilli;
            pods.Add(pod);
        }

        // Log-normal run times, then Poisson arrivals over the window they set (or the one given).
        var durations = new long[pods.Count];
        var gpuSeconds = 0.0;
        for (var i = 0; i < durations.Length; i++)
        {
            durations[i] = Math.Max(1, (long)Math.Round(options.DurationMedianSeconds * Math.Exp(options.DurationSigma * Normal(random))));
            gpuSeconds += (double)pods[i].GpuDemandMilli * durations[i];
        }

        var window = options.ArrivalWindowSeconds ?? ArrivalWindow(gpuSeconds, capacity, options.OfferedLoadPercent);
        var result = new TracePod[pods.Count];
        var meanGap = pods.Count > 0 ? (double)window / pods.Count : 0;
        var clock = 0.0;
        for (var i = 0; i < result.Length; i++)
        {
            if (i > 0)
            {
                clock += -meanGap * Math.Log(1 - random.NextDouble());
            }

            var created = (long)clock;
            result[i] = new TracePod(pods[i], created, created + durations[i]);
        }

        return result;
    }

    /// <summary>
    /// The window over which <paramref name="gpuSeconds"/> (milli-GPU × seconds) make <paramref name="loadPercent"/>
    /// of <paramref name="capacityMilli"/>; one day when there is no GPU demand or capacity to go by.
    /// </summary>
    internal static long ArrivalWindow(double gpuSeconds, long capacityMilli, double loadPercent)
    {
        const long OneDay = 86_400;
        if (gpuSeconds <= 0 || capacityMilli <= 0)
        {
            return OneDay;
        }

        return Math.Max(1, (long)Math.Round(gpuSeconds / (capacityMilli * loadPercent / 100.0)));
    }

    private static Pod DrawPod(Random random, GeneratorOptions options, FitTable fit, Weighted<int>[] kinds, Weighted<int>[] multi, int index)
    {
        var kind = Pick(random, kinds);
        var (gpus, milli) = kind switch
        {
            0 => (0, 0),
            1 => (1, Pick(random, options.SharingMilliMix)),
            2 => (1, Limits.GpuMilliPerGpu),
            _ => (Pick(random, multi), Limits.GpuMilliPerGpu),
        };

        string[] models = [];
        if (gpus > 0 && random.NextDouble() < options.ModelRestrictedFraction)
        {
            models = [fit.PickModel(random, gpus)];
        }

        var cpu = kind == 0 ? Pick(random, CpuOnlyPodCpu) : Pick(random, options.GpuPodCpuMilliPerGpuMix) * Math.Max(gpus, 1);
        var memory = cpu / 1000 * Pick(random, MemoryMiBPerCore);
        memory = Math.Max(memory, 512);
        var (maxCpu, maxMemory) = fit.Largest(gpus, models.Length > 0 ? models[0] : null);
        return new Pod
        {
            Name = "pod-" + index.ToString("D6", CultureInfo.InvariantCulture),
            CpuMilli = Math.Min(cpu, maxCpu),
            MemoryMiB = Math.Min(memory, maxMemory),
            GpuCount = gpus,
            GpuMilli = milli,
            AllowedGpuModels = models,
        };
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static T Pick<T>(Random random, IReadOnlyList<Weighted<T>> mix)
    {
        var total = 0.0;
        foreach (var choice in mix)
        {
            total += choice.Weight;
        }

        var x = random.NextDouble() * total;
        for (var i = 0; i < mix.Count; i++)
        {
            x -= mix[i].Weight;
            if (x < 0 && mix[i].Weight > 0)
            {
                return mix[i].Value;
            }
        }

        // Rounding left x at or just above 0: the last choice with weight.
        for (var i = mix.Count - 1; i >= 0; i--)
        {
            if (mix[i].Weight > 0)
            {
                return mix[i].Value;
            }
        }

        throw new InvalidOperationException("a mix with no positive weight reached Pick; options validation should have caught it");
    }

    /// <summary>Splits <paramref name="total"/> in proportion to <paramref name="weights"/> exactly (largest remainder; ties to the earlier cell).</summary>
    internal static int[] Apportion(int total, double[] weights)
    {
        var sum = weights.Sum();
        var counts = new int[weights.Length];
        if (total <= 0 || sum <= 0)
        {
            return counts;
        }

        var remainders = new double[weights.Length];
        var given = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var exact = total * weights[i] / sum;
            counts[i] = (int)Math.Floor(exact);
            remainders[i] = exact - counts[i];
            given += counts[i];
        }

        var order = Enumerable.Range(0, weights.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (var k = 0; given < total; k++)
        {
            counts[order[k % order.Length]]++;
            given++;
        }

        return counts;
    }

    /// <summary>For each GPU need and model, the biggest node that can hold it: the caps that keep every pod placeable.</summary>
    private sealed class FitTable
    {
        private readonly (int Gpus, string? Model, long Cpu, long Memory)[] _shapes;
        private readonly (string Model, int Gpus, long Capacity)[] _modelGpus;

        public FitTable(IReadOnlyList<Node> nodes)
        {
            _shapes = nodes.Select(n => (n.GpuCount, n.GpuModel, n.CpuMilli, n.MemoryMiB)).Distinct()
                .OrderByDescending(s => s.CpuMilli).ThenByDescending(s => s.MemoryMiB).ThenBy(s => s.GpuCount).ThenBy(s => s.GpuModel, StringComparer.Ordinal).ToArray();
            _modelGpus = nodes.Where(n => n.GpuCount > 0).GroupBy(n => (n.GpuModel!, n.GpuCount))
                .Select(g => (g.Key.Item1, g.Key.GpuCount, g.Sum(n => (long)n.GpuCount)))
                .OrderBy(m => m.Item1, StringComparer.Ordinal).ThenBy(m => m.GpuCount).ToArray();
            MaxGpus = nodes.Count == 0 ? 0 : nodes.Max(n => n.GpuCount);
        }

        public int MaxGpus { get; }

        /// <summary>CPU and memory of the largest node with at least <paramref name="gpus"/> GPUs (of <paramref name="model"/> when given).</summary>
        public (long Cpu, long Memory) Largest(int gpus, string? model)
        {
            foreach (var shape in _shapes)
            {
                if (shape.Gpus >= gpus && (model is null || string.Equals(shape.Model, model, StringComparison.Ordinal)))
                {
                    return (shape.Cpu, shape.Memory);
                }
            }

            throw new InvalidOperationException($"no node holds {gpus} GPU(s) of {model ?? "any model"}; the kind draw should have excluded it");
        }

        /// <summary>A model that some node can hold <paramref name="gpus"/> of, weighted by that model's GPU capacity.</summary>
        public string PickModel(Random random, int gpus)
        {
            var choices = _modelGpus.Where(m => m.Gpus >= gpus)
                .GroupBy(m => m.Model, StringComparer.Ordinal)
                .Select(g => new Weighted<string>(g.Key, g.Sum(m => (double)m.Capacity)))
                .ToArray();
            return Pick(random, choices);
        }
    }
}
