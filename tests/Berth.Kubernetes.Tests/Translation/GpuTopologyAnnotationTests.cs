using Berth.Kubernetes.Translation;
using Berth.Model.Gpus;
using Berth.TestKit.Kubernetes;

namespace Berth.Kubernetes.Tests.Translation;

/// <summary>The node annotation <c>berth.dev/gpu-topology</c> and the pod annotation <c>berth.dev/topology-policy</c>.</summary>
public class GpuTopologyAnnotationTests
{
    private const string TwoIslands = """{"policy":"single-numa-node","islands":[0,0,0,0,1,1,1,1],"pcieSwitches":[0,0,1,1,2,2,3,3],"gpuNuma":[0,0,0,0,1,1,1,1],"numaNodes":[{"cpu":"32","memory":"256Gi"},{"cpu":32,"memory":"256Gi"}]}""";

    [Fact]
    public void Translate_TopologyAnnotation_GivesEachGpuItsIslandSwitchAndNuma()
    {
        var node = Objects.Node("n1");
        node.Metadata.Annotations = new Dictionary<string, string> { ["berth.dev/gpu-topology"] = TwoIslands };

        var view = NodeTranslator.Translate(node);

        var topology = Assert.IsType<NodeTopology>(view.Node.Topology);
        Assert.Equal(TopologyPolicy.SingleNumaNode, topology.Policy);
        Assert.Equal(new GpuLocation(1, 2, 1), topology.Gpus[4]);
        Assert.Equal([new NumaNode(32_000, 256 * 1024), new NumaNode(32_000, 256 * 1024)], topology.NumaNodes);
        Assert.Empty(view.Warnings);
    }

    [Theory]
    [InlineData("{\"islands\":[0,0,1,1]}", "lists 4 GPUs but the node has 8")]
    [InlineData("{\"gpuNuma\":[0,0,0,0,1,1,1,1]}", "NUMA node 1")]
    [InlineData("{\"policy\":\"restricted\"}", "policy 'restricted' is unknown")]
    [InlineData("{\"numa\":[]}", "unknown field 'numa'")]
    [InlineData("{\"numaNodes\":[{\"cpu\":\"lots\",\"memory\":\"1Gi\"}]}", "cpu 'lots'")]
    [InlineData("not json", "is not usable")]
    public void Translate_UnusableTopologyAnnotation_WarnsAndLeavesItOut(string annotation, string warning)
    {
        var node = Objects.Node("n1");
        node.Metadata.Annotations = new Dictionary<string, string> { ["berth.dev/gpu-topology"] = annotation };

        var view = NodeTranslator.Translate(node);

        Assert.Null(view.Node.Topology);
        Assert.Contains(view.Warnings, w => w.Contains("berth.dev/gpu-topology", StringComparison.Ordinal) && w.Contains(warning, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("single-numa-node", true, false)]
    [InlineData("none", false, false)]
    [InlineData("one-socket", false, true)]
    public void Translate_TopologyPolicyAnnotation_AsksForSingleNumaNode(string annotation, bool expected, bool warns)
    {
        var pod = Objects.Pod("p", gpus: 4);
        pod.Metadata.Annotations = new Dictionary<string, string> { ["berth.dev/topology-policy"] = annotation };

        var view = PodTranslator.Translate(pod);

        Assert.Equal(expected, view.Pod.SingleNumaNode);
        Assert.Equal(warns, view.Warnings.Any(w => w.Contains("berth.dev/topology-policy", StringComparison.Ordinal)));
    }
}
