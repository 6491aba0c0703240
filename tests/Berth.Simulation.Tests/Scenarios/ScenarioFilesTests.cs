using System.Diagnostics;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Scenarios;

/// <summary>The scenario files shipped in scenarios/ read without errors and say what they derived.</summary>
public sealed class ScenarioFilesTests
{
    [Fact]
    public void Read_DemoScenario_GivesThreeQueuesAndGeneratedWorkloads()
    {
        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "demo.yaml"));

        Assert.Equal("demo", scenario.Name);
        Assert.Equal(["team-a", "team-b", "research"], scenario.Queues.Queues.Select(q => q.Name));
        Assert.Equal(321, scenario.Workloads.Count);
        Assert.Equal(8 + 4 + 8, scenario.Nodes.Count);
        Assert.Empty(scenario.Notes);
    }

    [SharedDataFact]
    public void Read_ItpMergedScenario_SizesClusterAndQuotasForTheTraces()
    {
        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "itp-merged.yaml"));

        Assert.Equal(63_944, scenario.Workloads.Count);
        Assert.Equal(8, scenario.Queues.Queues.Count);
        var group = Assert.Single(scenario.NodeGroups);
        Assert.Equal(group.Count, scenario.Nodes.Count);
        var capacity = group.Count * 8;
        Assert.Equal(capacity * 1000L, scenario.Queues.Queues.Sum(q => q.Flavors[0].Gpu!.Nominal));
        Assert.Equal(9, scenario.Notes.Count);
        Assert.StartsWith($"cluster: {group.Count} nodes of 8 GPUs", scenario.Notes[0], StringComparison.Ordinal);
        foreach (var note in scenario.Notes)
        {
            Console.WriteLine(note);
        }
    }
}
