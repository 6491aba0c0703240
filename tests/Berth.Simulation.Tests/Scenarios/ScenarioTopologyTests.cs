using Berth.Model.Gpus;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Scenarios;

/// <summary>A node group's <c>topology</c>: islands, PCIe switches and NUMA nodes reach every node of the group.</summary>
public sealed class ScenarioTopologyTests
{
    private const string Text = """
        kind: Scenario
        name: numa
        cluster:
          nodeGroups:
            - name: dgx
              count: 2
              gpus: 8
              gpuModel: A100
              cpu: 64
              memory: 512Gi
              topology:
                policy: single-numa-node
                islands: [0, 0, 0, 0, 1, 1, 1, 1]
                pcieSwitches: [0, 0, 1, 1, 2, 2, 3, 3]
                gpuNuma: [0, 0, 0, 0, 1, 1, 1, 1]
                numaNodes:
                  - {cpu: 32, memory: 256Gi}
                  - {cpu: 32, memory: 256Gi}
            - {name: plain, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: f}
        queues:
          - name: q
            flavors:
              - {flavor: f, gpu: 24}
        workloads:
          - {name: w1, queue: q, duration: 1h, podSets: [{count: 1, gpus: 4, singleNumaNode: true}]}
        """;

    [Fact]
    public void Read_GroupTopology_ReachesEveryNodeOfTheGroupAndOnlyThem()
    {
        var scenario = ScenarioReader.Read("/scenarios/numa.yaml", Text);

        var dgx = scenario.Nodes.Where(n => n.Name.StartsWith("dgx", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, dgx.Length);
        Assert.All(dgx, n =>
        {
            Assert.Equal(TopologyPolicy.SingleNumaNode, n.Topology!.Policy);
            Assert.Equal(new GpuLocation(1, 3, 1), n.Topology.Gpus[7]);
            Assert.Equal(32_000, n.Topology.NumaNodes[1].CpuMilli);
        });
        Assert.Null(scenario.Nodes.Single(n => n.Name.StartsWith("plain", StringComparison.Ordinal)).Topology);
        Assert.True(scenario.Workloads.Single().PodSets.Single().Template.SingleNumaNode);
    }
}
