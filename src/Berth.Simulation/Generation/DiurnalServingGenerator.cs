using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Generation;

/// <summary>
/// A diurnal serving load beside a training backlog on one fleet, as a job-level <see cref="Scenario"/> (see
/// <see cref="DiurnalServingOptions"/>). Each service's replica count follows a day/night cosine between its trough
/// and its peak (peak in the afternoon, each service shifted by up to two hours, a replica more or less at random),
/// set every step as an autoscaler (HPA, KEDA) would: a scale-up submits new replicas, each a one-pod workload of the
/// <c>inference</c> queue with <see cref="Workload.ServingGroup"/> set and the serving priority; a scale-down ends the
/// newest replicas, so a replica's duration is the time from its scale-up to its scale-down (one that waited to
/// start ends that much later). Training jobs (1 to 8 GPUs in one pod, larger ones as gangs of 8-GPU pods, log-normal
/// durations, checkpoints every 30 minutes) arrive at random through the run in the <c>training</c> queue. Both queues
/// share one cohort: inference's nominal quota is the services' peak, training's the rest, and training borrows what
/// serving leaves idle; inference reclaims it from lower-priority borrowers. Seeded: the same options give the same
/// scenario.
/// </summary>
public static class DiurnalServingGenerator
{
    /// <summary>The queue serving replicas are submitted to.</summary>
    public const string InferenceQueue = "inference";

    /// <summary>The queue training jobs are submitted to.</summary>
    public const string TrainingQueue = "training";

    private const long CpuPerGpu = 12_000;
    private const long MemoryPerGpu = 96 * 1024;
    private const double Day = 86_400;

    public static Scenario Generate(DiurnalServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var random = new Random(options.Seed);
        var nodes = Nodes(options);
        var totalGpus = 8L * options.Nodes;
        var span = options.Days * Day;

        var replicas = new List<Workload>();
        var peakGpus = Services(options, random, totalGpus, span, replicas);
        var servingGpuSeconds = replicas.Sum(r => r.Request.GpuMilli / 1000.0 * r.Duration!.Value.TotalSeconds);
        var training = Training(options, random, options.TrainingLoad * Math.Max(0, (totalGpus * span) - servingGpuSeconds), span);

        var inferenceNominal = Math.Min(totalGpus, peakGpus);
        var queues = new QueueConfiguration
        {
            Flavors = [new Flavor("default")],
            Cohorts = [new Cohort("fleet")],
            Queues =
            [
                new Queue(InferenceQueue)
                {
                    Cohort = "fleet",
                    Flavors = [new FlavorQuota("default") { Gpu = new ResourceQuota(1000 * inferenceNominal) }],
                    Preemption = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority, Reclaim = ReclaimPolicy.LowerPriority },
                },
                new Queue(TrainingQueue)
                {
                    Cohort = "fleet",
                    Flavors = [new FlavorQuota("default") { Gpu = new ResourceQuota(1000 * (totalGpus - inferenceNominal)) }],
                    MinRuntime = TimeSpan.FromMinutes(options.TrainingMinRuntimeMinutes),
                },
            ],
        };

        return new Scenario($"diurnal-serving-{options.Nodes}x8-{options.Days}d")
        {
            Description = $"{options.Services} services (peak {peakGpus} GPUs) and {training.Count} training jobs on {options.Nodes} nodes x 8 GPUs over {options.Days} days (seed {options.Seed})",
            Nodes = nodes,
            Queues = queues,
            Workloads = [.. replicas.Concat(training).OrderBy(w => w.SubmitTime).ThenBy(w => w.Id, StringComparer.Ordinal)],
            Horizon = TimeSpan.FromSeconds(span),
            Notes = [$"{replicas.Count} replica scale-ups; serving uses {servingGpuSeconds / 3600:F0} of {totalGpus * span / 3600:F0} GPU-hours"],
        };
    }

    /// <summary>The fleet: 8-GPU nodes, consecutive nodes in one rack, consecutive racks in one zone.</summary>
    private static Node[] Nodes(DiurnalServingOptions options)
    {
        var racks = options.Zones * options.RacksPerZone;
        return Enumerable.Range(0, options.Nodes).Select(i =>
        {
            var rack = (int)((long)i * racks / options.Nodes);
            var zone = rack / options.RacksPerZone;
            return new Node
            {
                Name = $"gpu-{i:D3}",
                CpuMilli = 128_000,
                MemoryMiB = 1024 * 1024,
                GpuCount = 8,
                GpuModel = "H100",
                Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [TopologyKeys.Zone] = $"zone-{zone}",
                    [TopologyKeys.Rack] = $"zone-{zone}-rack-{rack % options.RacksPerZone}",
                },
            };
        }).ToArray();
    }

    /// <summary>Adds every service's replicas to <paramref name="into"/>; returns the services' GPUs at their peaks, together.</summary>
    private static long Services(DiurnalServingOptions options, Random random, long totalGpus, double span, List<Workload> into)
    {
        var weights = Enumerable.Range(0, options.Services).Select(_ => 0.5 + random.NextDouble()).ToArray();
        long peakGpus = 0;
        var step = options.StepMinutes * 60.0;
        for (var s = 0; s < options.Services; s++)
        {
            var name = $"svc-{s:D2}";
            var gpus = Pick(random, options.ReplicaGpus);
            var peak = Math.Max(1, (int)Math.Round(options.PeakServingShare * totalGpus * weights[s] / weights.Sum() / gpus));
            var trough = Math.Clamp((int)Math.Round(peak * options.TroughShare), 1, peak);
            var peakAt = (14 * 3600) + ((random.NextDouble() * 4) - 2) * 3600;
            peakGpus += (long)peak * gpus;
            var template = new Pod { Name = "server", CpuMilli = CpuPerGpu * gpus, MemoryMiB = MemoryPerGpu * gpus, GpuCount = gpus, GpuMilli = Limits.GpuMilliPerGpu };

            // The replicas alive, oldest first: a scale-down ends the newest.
            var alive = new List<(string Id, double Submit)>();
            var made = 0;
            for (var t = 0.0; t < span; t += step)
            {
                var curve = (1 + Math.Cos(2 * Math.PI * (t - peakAt) / Day)) / 2;
                var noise = random.NextDouble() switch { < 0.1 => -1, > 0.9 => 1, _ => 0 };
                var target = Math.Clamp((int)Math.Round(trough + ((peak - trough) * curve)) + noise, 1, peak);
                while (alive.Count < target)
                {
                    alive.Add(($"{name}-{made++:D5}", t));
                }

                while (alive.Count > target)
                {
                    Add(alive[^1], t);
                    alive.RemoveAt(alive.Count - 1);
                }
            }

            foreach (var replica in alive)
            {
                Add(replica, span);
            }

            void Add((string Id, double Submit) replica, double end) => into.Add(new Workload(replica.Id)
            {
                Queue = InferenceQueue,
                PodSets = [new PodSet("server", 1, template)],
                Priority = options.ServingPriority,
                ServingGroup = name,
                SubmitTime = TimeSpan.FromSeconds(replica.Submit),
                Duration = TimeSpan.FromSeconds(end - replica.Submit),
            });
        }

        return peakGpus;
    }

    /// <summary>Training jobs offering <paramref name="gpuSeconds"/> of GPU-time, arriving uniformly at random over the span.</summary>
    private static List<Workload> Training(DiurnalServingOptions options, Random random, double gpuSeconds, double span)
    {
        var jobs = new List<Workload>();
        const double Sigma = 1.0;
        var offered = 0.0;
        while (offered < gpuSeconds)
        {
            var size = Pick(random, options.TrainingGpus);
            var perPod = Math.Min(8, size);
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var seconds = Math.Round(Math.Clamp(options.TrainingMeanHours * 3600 * Math.Exp((Sigma * normal) - (Sigma * Sigma / 2)), 300, 48 * 3600));
            offered += size * seconds;
            jobs.Add(new Workload($"train-{jobs.Count:D5}")
            {
                Queue = TrainingQueue,
                PodSets = [new PodSet("workers", size / perPod, new Pod { Name = "worker", CpuMilli = CpuPerGpu * perPod, MemoryMiB = MemoryPerGpu * perPod, GpuCount = perPod, GpuMilli = Limits.GpuMilliPerGpu })],
                SubmitTime = TimeSpan.FromSeconds(Math.Floor(random.NextDouble() * span)),
                Duration = TimeSpan.FromSeconds(seconds),
                ExpectedRunTime = TimeSpan.FromSeconds(Math.Round(seconds * (1 + random.NextDouble()))),
                CheckpointInterval = TimeSpan.FromMinutes(30),
            });
        }

        return jobs;
    }

    private static int Pick(Random random, IReadOnlyList<Weighted<int>> mix)
    {
        var x = random.NextDouble() * mix.Sum(w => w.Weight);
        foreach (var w in mix)
        {
            x -= w.Weight;
            if (x < 0)
            {
                return w.Value;
            }
        }

        return mix[^1].Value;
    }
}
