using Berth.Kubernetes.Translation;
using Berth.Model.Gpus;
using Berth.TestKit.Kubernetes;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Translation;

/// <summary>
/// The device plugin's MIG single strategy, labelled as GPU Feature Discovery publishes it: every GPU cut into one
/// profile, its instances advertised as <c>nvidia.com/gpu</c>, <c>gpu.count</c> and <c>gpu.memory</c> overridden.
/// </summary>
public sealed class MigSingleStrategyTests
{
    /// <summary>GFD's published example: 8 A100-40GB GPUs, each in 7 instances of 1g.5gb (56 in all).</summary>
    private static V1Node SingleNode(string product = "A100-SXM4-40GB-MIG-1g.5gb", string devices = "56")
    {
        var node = Objects.Node("mig-single", gpus: devices);
        node.Metadata.Labels ??= new Dictionary<string, string>();
        node.Metadata.Labels["nvidia.com/mig.strategy"] = "single";
        node.Metadata.Labels["nvidia.com/gpu.product"] = product;
        node.Metadata.Labels["nvidia.com/gpu.count"] = devices;
        node.Metadata.Labels["nvidia.com/gpu.memory"] = "5120";
        node.Metadata.Labels["nvidia.com/gpu.slices.gi"] = "1";
        return node;
    }

    [Fact]
    public void Translate_SingleStrategyNode_HasItsPhysicalGpusEachCutIntoSevenInstancesOfTheProfile()
    {
        var view = NodeTranslator.Translate(SingleNode());

        Assert.Empty(view.Warnings);
        Assert.Equal(8, view.Node.GpuCount);
        Assert.Equal("A100-40G", view.Node.GpuModel);
        Assert.Equal(40 * 1024, view.Node.GpuMemoryMiB);
        Assert.Equal(GpuSharingMode.Mig, view.Node.Sharing.Mode);
        Assert.All(view.Node.Sharing.MigLayouts, l => Assert.Equal(Enumerable.Repeat("1g.5gb", 7), l.Instances.Select(i => i.Profile)));
    }

    [Fact]
    public void Translate_SingleStrategyWithAProfileTheModelLacks_WarnsAndLeavesMigUnused()
    {
        var view = NodeTranslator.Translate(SingleNode(product: "A100-SXM4-40GB-MIG-9g.99gb"));

        Assert.NotEqual(GpuSharingMode.Mig, view.Node.Sharing.Mode);
        Assert.Contains(view.Warnings, w => w.Contains("9g.99gb", StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_PodSelectingASingleStrategyProduct_AsksForInstancesOfThatProfile()
    {
        var pod = Objects.Pod("p", gpus: 2);
        pod.Spec.NodeSelector = new Dictionary<string, string> { ["nvidia.com/gpu.product"] = "A100-SXM4-40GB-MIG-1g.5gb" };

        var view = PodTranslator.Translate(pod);

        Assert.Equal("1g.5gb", view.Pod.MigProfile);
        Assert.Equal(2, view.Pod.MigCount);
        Assert.Equal(0, view.Pod.GpuCount);
        Assert.Equal(["A100-40G"], view.Pod.AllowedGpuModels);
    }
}
