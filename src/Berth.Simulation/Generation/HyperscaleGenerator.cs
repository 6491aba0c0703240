using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Generation;

/// <summary>
/// A month of a hyperscale cluster as a job-level <see cref="Scenario"/> (see <see cref="HyperscaleOptions"/>): 8-GPU
/// nodes of 128 cores and 1 TiB, queues with equal nominal GPU shares in cohorts (they borrow from each other, reclaim
/// and preempt by fair share), jobs of 1 to 8 GPUs as one pod and larger ones as gangs of 8-GPU pods, three priorities,
/// log-normal durations scaled so that the jobs offer the asked share of the cluster's GPU-time. Seeded: the same
/// options give the same scenario.
/// </summary>
public static class HyperscaleGenerator
{
    private const long CpuPerGpu = 12_000;
    private const long MemoryPerGpu = 96 * 1024;

    public static Scenario Generate(HyperscaleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var random = new Random(options.Seed);
        var nodes = new Node[options.Nodes];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new Node { Name = $"node-{i:D5}", CpuMilli = 128_000, MemoryMiB = 1024 * 1024, GpuCount = 8, GpuModel = "H100" };
        }

        var totalGpus = 8L * options.Nodes;
        var cohorts = Enumerable.Range(0, options.Cohorts).Select(c => new Cohort($"cohort-{c}")).ToArray();
        var share = Math.Max(1, totalGpus / options.Queues);
        var preemption = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority, Reclaim = ReclaimPolicy.Any, FairShare = true };
        var queues = Enumerable.Range(0, options.Queues).Select(q => new Queue($"queue-{q:D2}")
        {
            Cohort = cohorts[q % cohorts.Length].Name,
            Flavors = [new FlavorQuota("default") { Gpu = new ResourceQuota(1000 * share) }],
            Weight = 1 + (q % 3),
            Preemption = preemption,
        }).ToArray();
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Cohorts = cohorts, Queues = queues };

        // Sizes and raw durations first; then one factor brings the GPU-time to the offered load.
        var span = options.Days * 86_400.0;
        var sizes = new int[options.Jobs];
        var raw = new double[options.Jobs];
        var submit = new double[options.Jobs];
        var totalWeight = options.SizeMix.Sum(s => s.Weight);
        var t = 0.0;
        var rate = options.Jobs / span;
        double gpuSeconds = 0;
        for (var i = 0; i < options.Jobs; i++)
        {
            t += -Math.Log(1 - random.NextDouble()) / rate;
            submit[i] = Math.Min(t, span);
            var pick = random.NextDouble() * totalWeight;
            var size = options.SizeMix[^1].Value;
            foreach (var s in options.SizeMix)
            {
                if (pick < s.Weight)
                {
                    size = s.Value;
                    break;
                }

                pick -= s.Weight;
            }

            sizes[i] = size;
            raw[i] = Math.Exp(options.DurationSigma * Normal(random));
        }

        var cap = options.MaxDurationHours * 3600;
        var scale = options.OfferedLoad * totalGpus * span / Enumerable.Range(0, options.Jobs).Sum(i => sizes[i] * raw[i]);
        for (var round = 0; round < 5; round++)
        {
            // Cutting the tail at the cap removes GPU-time: raise the scale until the capped jobs offer the load.
            gpuSeconds = Enumerable.Range(0, options.Jobs).Sum(i => sizes[i] * Math.Min(cap, Math.Max(60, raw[i] * scale)));
            scale *= options.OfferedLoad * totalGpus * span / gpuSeconds;
        }

        var workloads = new Workload[options.Jobs];
        var templates = new Dictionary<int, Pod>();
        for (var i = 0; i < options.Jobs; i++)
        {
            var size = sizes[i];
            var perPod = Math.Min(8, size);
            if (!templates.TryGetValue(perPod, out var template))
            {
                template = new Pod { Name = "worker", CpuMilli = CpuPerGpu * perPod, MemoryMiB = MemoryPerGpu * perPod, GpuCount = perPod, GpuMilli = Limits.GpuMilliPerGpu };
                templates[perPod] = template;
            }

            var seconds = Math.Round(Math.Min(cap, Math.Max(60, raw[i] * scale)));
            var estimate = Math.Round(seconds * (1 + random.NextDouble())); // users overestimate, up to twice
            var priority = random.Next(10) switch { < 6 => 0, < 9 => 1, _ => 2 };
            workloads[i] = new Workload($"job-{i:D7}")
            {
                Queue = queues[random.Next(queues.Length)].Name,
                PodSets = [new PodSet("workers", size / perPod, template)],
                Priority = priority,
                SubmitTime = TimeSpan.FromSeconds(Math.Floor(submit[i])),
                Duration = TimeSpan.FromSeconds(seconds),
                ExpectedRunTime = TimeSpan.FromSeconds(estimate),
                CheckpointInterval = size >= 64 ? TimeSpan.FromHours(1) : null,
            };
        }

        return new Scenario($"hyperscale-{options.Nodes}x8-{options.Days}d")
        {
            Description = $"{options.Nodes} nodes x 8 GPUs, {options.Jobs} jobs over {options.Days} days at {options.OfferedLoad:P0} offered load (seed {options.Seed})",
            Nodes = nodes,
            Queues = config,
            Workloads = workloads,
            Notes = [$"offered GPU-time {gpuSeconds / 3600:F0} GPU-hours of {totalGpus * span / 3600:F0}"],
        };
    }

    /// <summary>A standard normal draw (Box-Muller), two uniform draws per call.</summary>
    private static double Normal(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
