using Berth.Engine.Policies;
using Berth.Model;
using Berth.Simulation.Inflation;
using Berth.Simulation.Input;
using Berth.TestKit;

namespace Berth.Simulation.Tests.Determinism;

public sealed class InflationDeterminismTests
{
    /// <summary>12 nodes (two GPU models, one CPU-only node) and 60 pods of every shape, built in code.</summary>
    private static SimulationInput Synthetic()
    {
        var nodes = new List<Node>();
        int[] gpus = [8, 8, 4, 4, 2, 2, 1, 1, 8, 4, 2];
        for (var i = 0; i < gpus.Length; i++)
        {
            nodes.Add(Make.Node($"n{i}").Cpu(i % 3 == 0 ? 32_000 : 96_000).Gpus(gpus[i], i % 2 == 0 ? "A100" : "T4").Build());
        }

        nodes.Add(Make.Node("cpu").Cpu(64_000).Build());
        var pods = new List<Pod>();
        for (var i = 0; i < 60; i++)
        {
            var builder = Make.Pod($"p{i}").Cpu(1_000 * (1 + (i % 7)));
            switch (i % 6)
            {
                case 0: builder.GpuShare(250); break;
                case 1: builder.GpuShare(500 + (i % 4 * 100)); break;
                case 2: builder.Gpus(1); break;
                case 3: builder.Gpus(i % 4 == 3 ? 4 : 2); break;
                case 4: builder.GpuShare(300).Models("T4"); break;
                default: break; // CPU-only
            }

            pods.Add(builder.Build());
        }

        return new SimulationInput("synthetic", nodes, pods.Select(p => new TracePod(p, null, null)).ToArray());
    }

    public static TheoryData<string> Policies => new(PlacementPolicies.Names);

    [Theory]
    [MemberData(nameof(Policies))]
    public void Run_SameInputAndSeed_GivesEqualHashAndCurves(string policy)
    {
        var input = Synthetic();

        var first = InflationExperiment.Run(input, policy, 3);
        var second = InflationExperiment.Run(Synthetic(), policy, 3);

        Assert.Equal(first.EventLogHash, second.EventLogHash);
        Assert.Equal(first.Curve, second.Curve);
        Assert.Equal(first.FailedPods, second.FailedPods);
        Assert.Equal(first.FinalAllocationPercent, second.FinalAllocationPercent);
        Assert.True(first.SubmittedPods > input.Pods.Count, "the list must be padded to 130% of capacity");
        Assert.True(first.FailedPods > 0, "at 130% of capacity some pods must fail");
    }

    [Theory]
    [InlineData("random")]
    [InlineData("bestfit")]
    [InlineData("fgd-peer")]
    public void Run_DifferentSeeds_GiveDifferentHashes(string policy)
    {
        var input = Synthetic();

        var hashes = new[] { 1, 2, 3 }.Select(seed => InflationExperiment.Run(input, policy, seed).EventLogHash).ToArray();

        Assert.Equal(3, hashes.Distinct().Count());
    }

    [Fact]
    public void Run_RandomPolicyRepeatedInOneProcess_GivesOneHash()
    {
        // The placer's random stream and the shuffle share the seed; repeated runs in one process must not drift.
        var input = Synthetic();

        var hashes = Enumerable.Range(0, 3).Select(_ => InflationExperiment.Run(input, "random", 11).EventLogHash).Distinct();

        Assert.Single(hashes);
    }

    [Fact]
    public void BuildSequence_SameSeed_IsAShuffleOfTheOriginalPaddedToTarget()
    {
        var input = Synthetic();
        var original = input.PodSpecs;

        var a = InflationExperiment.BuildSequence(original, input.GpuCapacityMilli, 130, 5);
        var b = InflationExperiment.BuildSequence(original, input.GpuCapacityMilli, 130, 5);
        var c = InflationExperiment.BuildSequence(original, input.GpuCapacityMilli, 130, 6);

        Assert.Equal(a.Select(p => p.Name), b.Select(p => p.Name));
        Assert.NotEqual(a.Select(p => p.Name), c.Select(p => p.Name));
        Assert.Equal(original.Select(p => p.Name).Order(), a.Take(original.Count).Select(p => p.Name).Order());
        Assert.NotEqual(original.Select(p => p.Name), a.Take(original.Count).Select(p => p.Name));
        var demand = a.Sum(p => p.GpuDemandMilli);
        Assert.True(demand >= 1.3 * input.GpuCapacityMilli);
        Assert.True(demand - a[^1].GpuDemandMilli < 1.3 * input.GpuCapacityMilli, "padding stops at the first pod that reaches the target");
    }

    [Fact]
    public void Run_CurveBins_CoverZeroTo130AndAllocationNeverExceeds100()
    {
        var result = InflationExperiment.Run(Synthetic(), "fgd", 1);

        Assert.Equal(Enumerable.Range(0, 131), result.Curve.Select(p => p.ArrivedPercent));
        Assert.All(result.Curve, p => Assert.InRange(p.AllocationPercent, 0, 100));
        Assert.All(result.Curve, p => Assert.InRange(p.FragmentPercent, 0, 100));
    }
}
