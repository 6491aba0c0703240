using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.Simulation.Input;
using Berth.Simulation.Metrics;

namespace Berth.Simulation.Inflation;

/// <summary>
/// The inflation protocol of the FGD paper: 1. compute the typical pods from the original list;
/// 2. shuffle the list with the seed; 3. append pods drawn uniformly with replacement from the original
/// list until submitted GPU demand reaches the target % of capacity; 4. submit one at a time, no
/// departures, a pod that fits nowhere counts as failed and is dropped; 5. after each submission
/// sample allocation and fragmentation, binned by arrived % of capacity.
/// </summary>
public static class InflationExperiment
{
    /// <summary>Runs one policy with one seed. Pure function of (input, policy, seed, options) apart from <see cref="RunResult.WallSeconds"/>.</summary>
    public static RunResult Run(SimulationInput input, string policy, int seed, InflationOptions? options = null, TimeProvider? time = null) =>
        Run(input, PlacementPolicies.Get(policy), seed, options, time);

    /// <summary>Runs one placement profile (a built-in policy or a custom one) with one seed.</summary>
    public static RunResult Run(SimulationInput input, PlacementProfile profile, int seed, InflationOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(profile);
        options ??= new InflationOptions();
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        var policy = profile.Name;

        var original = input.PodSpecs;
        var target = TargetWorkload.FromPods(original, options.TypicalPodCoverage);
        var sequence = BuildSequence(original, input.GpuCapacityMilli, options.TargetPercent, seed);

        var cluster = new ClusterState(input.Nodes);
        var context = new PluginContext(cluster, target);
        var placer = new Placer(profile, context, seed);
        var fragments = new FragmentationTracker(cluster, context.Fragments);
        var capacity = (double)cluster.TotalGpuMilli;
        var curve = new BinnedCurve((int)Math.Ceiling(options.TargetPercent));
        var hash = new EventLogHash();
        long arrived = 0;
        var failed = 0;
        for (var i = 0; i < sequence.Count; i++)
        {
            var pod = sequence[i];
            var result = placer.Place(pod);
            arrived += pod.GpuDemandMilli;
            hash.Add(i);
            if (result.Placed)
            {
                hash.Add(result.NodeIndex);
                hash.Add(result.GpuMask);
                fragments.Refresh(result.NodeIndex);
            }
            else
            {
                hash.Add(-1);
                failed++;
            }

            if (capacity > 0)
            {
                curve.Add(
                    100 * arrived / capacity,
                    100 * cluster.AllocatedGpuMilli / capacity,
                    100 * fragments.FragmentOfCapacity,
                    100 * fragments.FragmentOfIdle,
                    failed);
            }

            options.Progress?.Invoke(i + 1, sequence.Count);
        }

        return new RunResult
        {
            Trace = input.Name,
            Policy = policy,
            Seed = seed,
            Mode = "inflation",
            Curve = curve.Points(),
            SubmittedPods = sequence.Count,
            FailedPods = failed,
            FinalAllocationPercent = capacity > 0 ? 100 * cluster.AllocatedGpuMilli / capacity : 0,
            WallSeconds = time.GetElapsedTime(started).TotalSeconds,
            EventLogHash = hash.Value,
        };
    }

    /// <summary>The submission order: the list shuffled with <paramref name="seed"/>, padded by sampling with replacement to the target demand.</summary>
    public static IReadOnlyList<Pod> BuildSequence(IReadOnlyList<Pod> original, long capacityMilli, double targetPercent, int seed)
    {
        ArgumentNullException.ThrowIfNull(original);
        var random = new Random(seed);
        var sequence = new List<Pod>(original.Count * 2);
        sequence.AddRange(original);
        for (var i = sequence.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (sequence[i], sequence[j]) = (sequence[j], sequence[i]);
        }

        var demand = original.Sum(p => p.GpuDemandMilli);
        var goal = capacityMilli * targetPercent / 100;
        if (original.Any(p => p.GpuDemandMilli > 0))
        {
            while (demand < goal)
            {
                var pod = original[random.Next(original.Count)];
                sequence.Add(pod);
                demand += pod.GpuDemandMilli;
            }
        }

        return sequence;
    }
}
