using Berth.Engine.Policies;
using Berth.Simulation.Generation;
using Berth.Simulation.Inflation;
using Berth.Simulation.Replay;

namespace Berth.Simulation.Tests.Generation;

/// <summary>
/// The generated workload is what <c>berth simulate --demo</c> runs: it must show what the default policy
/// does better, on every generator seed and not only on the one the README quotes.
/// </summary>
public sealed class DemoWorkloadTests
{
    private static readonly int[] GeneratorSeeds = [1, 2, 3, 4];

    [Fact]
    public void Inflation_DefaultPolicyLeadsOnEveryGeneratorSeed()
    {
        string[] baselines = ["bestfit", "dotprod", "gpupacking", "gpuclustering"];
        var fgdPeerGaps = new List<double>();
        foreach (var seed in GeneratorSeeds)
        {
            var input = WorkloadGenerator.Generate(new GeneratorOptions { Nodes = 200, Seed = seed });
            var alloc = PlacementPolicies.Names.Where(p => p != "random")
                .ToDictionary(p => p, p => InflationExperiment.Run(input, p, 42).AllocAt100);

            var fgd = alloc[PlacementPolicies.Default];
            Assert.Equal(alloc.Values.Max(), fgd);
            Assert.All(baselines, b => Assert.True(fgd - alloc[b] >= 1.0, $"generator seed {seed}: fgd {fgd:F2} is less than 1 point ahead of {b} {alloc[b]:F2}"));
            Assert.True(fgd >= alloc["fgd-peer"], $"generator seed {seed}: fgd {fgd:F2} behind the published FGD {alloc["fgd-peer"]:F2}");
            fgdPeerGaps.Add(fgd - alloc["fgd-peer"]);
        }

        Assert.True(fgdPeerGaps.Average() >= 0.5, $"fgd leads the published FGD by {fgdPeerGaps.Average():F2} points on average, less than 0.5");
    }

    [Fact]
    public void Replay_TheGeneratedLoadFillsTheCluster()
    {
        foreach (var seed in GeneratorSeeds.Take(2))
        {
            var input = WorkloadGenerator.Generate(new GeneratorOptions { Nodes = 200, Seed = seed });

            var run = ReplayExperiment.Run(input, PlacementPolicies.Default, 42);

            Assert.True(run.AllocAt130 >= run.AllocAt100, $"generator seed {seed}: allocation fell from {run.AllocAt100:F2} to {run.AllocAt130:F2} as pods kept arriving");
            Assert.True(run.AllocAt130 >= 85, $"generator seed {seed}: only {run.AllocAt130:F2}% of GPUs allocated once every pod arrived");
        }
    }
}
