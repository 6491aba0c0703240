using System.Globalization;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Generation;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Synthetic gang workloads for a scenario's <c>generate</c> source. Deterministic: the only randomness is
/// <see cref="Random"/> seeded from <see cref="GeneratedWorkloadOptions.Seed"/>, drawn in a fixed order
/// (gap, GPUs, duration, priority per workload), so the same options give the same workloads.
/// </summary>
public static class GeneratedWorkloads
{
    public const string PodSetName = "workers";

    public static IReadOnlyList<Workload> Generate(GeneratedWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        var random = new Random(options.Seed);
        var prefix = options.NamePrefix ?? options.Queue;
        var width = Math.Max(5, (options.Count - 1).ToString(CultureInfo.InvariantCulture).Length);
        var format = "D" + width.ToString(CultureInfo.InvariantCulture);
        var meanGap = options.MeanInterarrival.TotalSeconds;
        var clock = options.Start.TotalSeconds;
        var workloads = new Workload[options.Count];
        for (var i = 0; i < options.Count; i++)
        {
            if (i > 0)
            {
                clock += -meanGap * Math.Log(1 - random.NextDouble());
            }

            var gpus = Pick(random, options.Gpus);
            var seconds = options.DurationMedian.TotalSeconds * Math.Exp(options.DurationSigma * Normal(random));
            if (options.MaxDuration is { } max)
            {
                seconds = Math.Min(seconds, max.TotalSeconds);
            }

            var duration = Math.Max(1, Math.Round(seconds));
            var priority = Pick(random, options.Priorities);
            var (pods, perPod) = gpus <= options.GpusPerPod ? (1, gpus) : (gpus / options.GpusPerPod, options.GpusPerPod);
            workloads[i] = new Workload(prefix + "-" + i.ToString(format, CultureInfo.InvariantCulture))
            {
                Queue = options.Queue,
                SubmitTime = TimeSpan.FromSeconds(Math.Floor(clock)),
                Duration = TimeSpan.FromSeconds(duration),
                ExpectedRunTime = TimeSpan.FromSeconds(Math.Round(duration * options.ExpectedRunTimeFactor)),
                CheckpointInterval = options.CheckpointInterval,
                Preemptible = options.Preemptible,
                Priority = priority,
                PodSets =
                [
                    new PodSet(PodSetName, pods, new Pod
                    {
                        Name = PodSetName,
                        GpuCount = perPod,
                        GpuMilli = perPod > 0 ? Limits.GpuMilliPerGpu : 0,
                        CpuMilli = options.CpuMilliPerGpu * Math.Max(perPod, 1),
                        MemoryMiB = options.MemoryMiBPerGpu * Math.Max(perPod, 1),
                        AllowedGpuModels = options.GpuModels,
                    }),
                ],
            };
        }

        return workloads;
    }

    private static void Check(GeneratedWorkloadOptions o)
    {
        void Fail(string field, string problem) => throw new ArgumentException(problem, field);

        if (string.IsNullOrWhiteSpace(o.Queue))
        {
            Fail("queue", "queue is empty; name the queue the generated workloads are submitted to");
        }

        if (o.Count < 1)
        {
            Fail("count", $"count is {o.Count}; generate 1 or more workloads");
        }

        if (o.MeanInterarrival < TimeSpan.Zero || o.Start < TimeSpan.Zero || o.DurationMedian <= TimeSpan.Zero)
        {
            Fail("meanInterarrival", "start and meanInterarrival must be 0 or more and durationMedian more than 0");
        }

        if (!(o.DurationSigma >= 0) || !double.IsFinite(o.DurationSigma))
        {
            Fail("durationSigma", $"durationSigma is {o.DurationSigma}; it must be 0 or more (0: every run time is the median)");
        }

        if (o.GpusPerPod is < 1 or > Limits.MaxGpusPerNode)
        {
            Fail("gpusPerPod", $"gpusPerPod is {o.GpusPerPod}; it must be between 1 and {Limits.MaxGpusPerNode}");
        }

        if (o.Gpus.Count == 0 || o.Gpus.Any(g => g.Value < 0 || !(g.Weight >= 0)) || !(o.Gpus.Sum(g => g.Weight) > 0))
        {
            Fail("gpus", "the GPU mix needs at least one size with a positive weight; sizes are 0 or more GPUs, weights 0 or more");
        }

        foreach (var size in o.Gpus)
        {
            if (size.Value > o.GpusPerPod && size.Value % o.GpusPerPod != 0)
            {
                Fail("gpus", $"a workload of {size.Value} GPUs cannot be split into pods of gpusPerPod {o.GpusPerPod}; use multiples of {o.GpusPerPod} above it");
            }
        }

        if (o.Priorities.Count == 0 || o.Priorities.Any(p => !(p.Weight >= 0)) || !(o.Priorities.Sum(p => p.Weight) > 0))
        {
            Fail("priorities", "the priority mix needs at least one value with a positive weight");
        }

        if (!(o.ExpectedRunTimeFactor > 0) || !double.IsFinite(o.ExpectedRunTimeFactor))
        {
            Fail("expectedRunTimeFactor", $"expectedRunTimeFactor is {o.ExpectedRunTimeFactor}; it must be more than 0");
        }

        if (o.CpuMilliPerGpu < 0 || o.MemoryMiBPerGpu < 0)
        {
            Fail("cpuPerGpu", "cpuPerGpu and memoryPerGpu must be 0 or more");
        }
    }

    private static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static int Pick(Random random, IReadOnlyList<Weighted<int>> mix)
    {
        var total = 0.0;
        foreach (var choice in mix)
        {
            total += choice.Weight;
        }

        var x = random.NextDouble() * total;
        foreach (var choice in mix)
        {
            if (x < choice.Weight)
            {
                return choice.Value;
            }

            x -= choice.Weight;
        }

        // Rounding left x at the total: the last choice with a weight.
        return mix.Last(c => c.Weight > 0).Value;
    }
}
