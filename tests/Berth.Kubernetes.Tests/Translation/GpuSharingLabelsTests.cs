using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Translation;
using Berth.Model.Gpus;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Translation;

/// <summary>GPU Feature Discovery and device plugin labels and resources read into <see cref="Model.Node.Sharing"/>, and pods' shared-GPU requests.</summary>
public sealed class GpuSharingLabelsTests
{
    [Fact]
    public void MixedStrategy_SpreadsTheAllocatableInstancesOverTheGpus_InLayoutsNvidiaAllows()
    {
        var node = GpuSharingBindingTests.MixedMigNode("mig-00");
        node.Metadata.Labels[KubernetesNames.GpuCountLabel] = "2";
        node.Status.Allocatable["nvidia.com/mig-1g.10gb"] = new ResourceQuantity("5");
        node.Status.Allocatable["nvidia.com/mig-3g.40gb"] = new ResourceQuantity("2");
        node.Status.Allocatable["nvidia.com/mig-2g.20gb"] = new ResourceQuantity("1");

        var view = NodeTranslator.Translate(node);

        Assert.Empty(view.Warnings);
        Assert.Equal(2, view.Node.GpuCount);
        Assert.Equal("A100", view.Node.GpuModel);
        var sharing = view.Node.Sharing;
        Assert.Equal(GpuSharingMode.Mig, sharing.Mode);
        Assert.Equal(2, sharing.MigLayouts.Count);
        Assert.True(MigGeometries.TryGet("A100", out var geometry));
        Assert.All(sharing.MigLayouts, l => Assert.Null(geometry.Problem(l)));
        var all = sharing.MigLayouts.SelectMany(l => l.Instances).GroupBy(i => i.Profile).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["1g.10gb"] = 5, ["2g.20gb"] = 1, ["3g.40gb"] = 2 }, all);
    }

    [Fact]
    public void MixedStrategy_MoreInstancesThanTheGpusHold_WarnsNamingTheResource_AndLeavesMigUnused()
    {
        var view = NodeTranslator.Translate(GpuSharingBindingTests.MixedMigNode("mig-00", profileCount: "8"));

        Assert.Equal(GpuSharingMode.Exclusive, view.Node.Sharing.Mode);
        Assert.Equal(0, view.Node.GpuCount);
        Assert.Contains(view.Warnings, w => w.Contains("nvidia.com/mig-1g.10gb", StringComparison.Ordinal) && w.Contains("MIG on this node is not used", StringComparison.Ordinal));
    }

    [Fact]
    public void MixedStrategy_OnAModelWithoutMigGeometry_WarnsNamingTheLabel()
    {
        var node = GpuSharingBindingTests.MixedMigNode("mig-00");
        node.Metadata.Labels[KubernetesNames.GpuProductLabel] = "NVIDIA-L4";

        var view = NodeTranslator.Translate(node);

        Assert.Equal(GpuSharingMode.Exclusive, view.Node.Sharing.Mode);
        Assert.Contains(view.Warnings, w => w.StartsWith($"label {KubernetesNames.GpuProductLabel}", StringComparison.Ordinal) && w.Contains("A100", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownMigStrategy_WarnsNamingTheLabelAndItsValues()
    {
        var node = GpuSharingBindingTests.MixedMigNode("mig-00");
        node.Metadata.Labels[KubernetesNames.MigStrategyLabel] = "mixd";

        var view = NodeTranslator.Translate(node);

        Assert.Contains(view.Warnings, w => w.Contains($"{KubernetesNames.MigStrategyLabel} is 'mixd'", StringComparison.Ordinal) && w.Contains("none, single and mixed", StringComparison.Ordinal));
        Assert.NotEqual(GpuSharingMode.Mig, view.Node.Sharing.Mode);
    }

    [Fact]
    public void MixedStrategyLabel_WithoutMigDevices_KeepsWholeGpus()
    {
        var node = Objects.GpuNode("whole-00", gpus: 8);
        node.Metadata.Labels[KubernetesNames.GpuProductLabel] = "NVIDIA-A100-SXM4-80GB";
        node.Metadata.Labels[KubernetesNames.MigStrategyLabel] = "mixed";
        node.Metadata.Labels[KubernetesNames.GpuCountLabel] = "8";

        var view = NodeTranslator.Translate(node);

        Assert.Empty(view.Warnings);
        Assert.Equal(8, view.Node.GpuCount);
        Assert.Equal(GpuSharing.Exclusive, view.Node.Sharing);
    }

    [Theory]
    [InlineData("time-slicing", GpuSharingMode.TimeSliced)]
    [InlineData("mps", GpuSharingMode.Mps)]
    public void Replicas_WithTheSharingStrategy_GiveTimeSlicingOrMps_OnThePhysicalGpus(string strategy, GpuSharingMode mode)
    {
        var node = GpuSharingBindingTests.TimeSlicedNode("ts-00", gpus: 2, replicas: "4");
        node.Metadata.Labels[KubernetesNames.GpuSharingStrategyLabel] = strategy;

        var view = NodeTranslator.Translate(node);

        Assert.Empty(view.Warnings);
        Assert.Equal(2, view.Node.GpuCount);
        Assert.Equal(mode, view.Node.Sharing.Mode);
        Assert.Equal(4, view.Node.Sharing.Replicas);
    }

    [Fact]
    public void Replicas_WithoutGpuCount_DivideTheAdvertisedDevices()
    {
        var node = Objects.GpuNode("ts-00", gpus: 8);
        node.Metadata.Labels[KubernetesNames.GpuProductLabel] = "NVIDIA-H100-80GB-HBM3";
        node.Metadata.Labels[KubernetesNames.GpuReplicasLabel] = "4";

        var view = NodeTranslator.Translate(node);

        Assert.Equal(2, view.Node.GpuCount);
        Assert.Equal(GpuSharing.TimeSliced(4), view.Node.Sharing);
    }

    [Fact]
    public void MigRequest_BecomesTheEnginesMigRequest()
    {
        var view = PodTranslator.Translate(GpuSharingBindingTests.SharedPod("p", "nvidia.com/mig-3g.40gb", "2"));

        Assert.Null(view.Error);
        Assert.Equal("3g.40gb", view.Pod.MigProfile);
        Assert.Equal(2, view.Pod.MigCount);
        Assert.Equal(0, view.Pod.GpuCount);
    }

    [Fact]
    public void SharedReplicaWithGpuMemory_BecomesReplicasAndMiB()
    {
        var pod = GpuSharingBindingTests.SharedPod("p", GpuResourceNames.SharedGpu);
        pod.Spec.Containers[0].Resources.Limits[GpuResourceNames.GpuMemory] = new ResourceQuantity("20Gi");

        var view = PodTranslator.Translate(pod);

        Assert.Null(view.Error);
        Assert.Equal(1, view.Pod.SharedGpuReplicas);
        Assert.Equal(20 * 1024, view.Pod.GpuMemoryMiB);
    }

    [Theory]
    [InlineData("nvidia.com/mig-5g.50gb", "1", "nvidia.com/mig-3g.40gb")]
    [InlineData("nvidia.com/mig-1g.10gb", "5", "1 to 4")]
    public void BadMigRequest_IsAnErrorNamingTheResourceAndTheFix(string resource, string amount, string fix)
    {
        var view = PodTranslator.Translate(GpuSharingBindingTests.SharedPod("p", resource, amount));

        Assert.NotNull(view.Error);
        Assert.Contains(resource, view.Error, StringComparison.Ordinal);
        Assert.Contains(fix, view.Error, StringComparison.Ordinal);
        Assert.Equal(0, view.Pod.MigCount);
    }

    [Fact]
    public void MigInstancesAnnotation_RoundTripsThroughTheEngineMask()
    {
        var request = new Model.Pod { Name = "p", MigProfile = "1g.10gb", MigCount = 2 };
        var mask = SharedAssignment.MaskOf([new Engine.Mig.MigPlacement(1, 3), new Engine.Mig.MigPlacement(0, 6)]);

        var annotations = SharedAssignment.Annotations(request, mask);
        var warnings = new List<string>();
        var back = SharedAssignment.ReadMig(annotations[KubernetesNames.MigInstancesAnnotation], request, warnings);

        Assert.Equal("1:1g.10gb@3,0:1g.10gb@6", annotations[KubernetesNames.MigInstancesAnnotation]);
        Assert.Empty(warnings);
        Assert.Equal(mask, SharedAssignment.MaskOf(back));
        Assert.Empty(SharedAssignment.ReadMig("0:2g.20gb@0,1:1g.10gb@0", request, warnings));
        Assert.Contains(warnings, w => w.Contains(KubernetesNames.MigInstancesAnnotation, StringComparison.Ordinal));
    }
}
