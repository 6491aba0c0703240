using Berth.Kubernetes.Translation;
using Berth.Model;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Translation;

public sealed class NodeTranslatorTests
{
    /// <summary>A change to a healthy 8-GPU node and the health Berth must read from it.</summary>
    public sealed record HealthCase(string Name, Action<V1Node> Change, bool Schedulable, bool GpusUnhealthy, int[] UnhealthyGpus, string? Mentions)
    {
        public override string ToString() => Name;
    }

    private static V1Node Taint(V1Node node, string key, string? value, string effect)
    {
        node.Spec.Taints = [new V1Taint { Key = key, Value = value, Effect = effect }];
        return node;
    }

    public static TheoryData<HealthCase> HealthCases => new()
    {
        new("A Ready node is schedulable with every GPU healthy", _ => { }, true, false, [], null),
        new("A cordoned node is not schedulable", n => n.Spec.Unschedulable = true, false, false, [], "cordoned"),
        new("A node whose Ready condition is False is not schedulable", n => n.Status.Conditions[0].Status = "False", false, false, [], "not Ready"),
        new("A node whose Ready condition is Unknown is not schedulable", n => n.Status.Conditions[0].Status = "Unknown", false, false, [], "not Ready"),
        new("A node without conditions is not schedulable", n => n.Status.Conditions = null, false, false, [], "not Ready"),
        new("The GPU unhealthy NoSchedule taint removes every GPU", n => Taint(n, "nvidia.com/gpu", "unhealthy", "NoSchedule"), false, true, [0, 1, 2, 3, 4, 5, 6, 7], "GPUs are unhealthy"),
        new("The GPU unhealthy NoExecute taint removes every GPU", n => Taint(n, "nvidia.com/gpu", "unhealthy", "NoExecute"), false, true, [0, 1, 2, 3, 4, 5, 6, 7], "GPUs are unhealthy"),
        new("The GPU unhealthy taint with PreferNoSchedule is only a preference", n => Taint(n, "nvidia.com/gpu", "unhealthy", "PreferNoSchedule"), true, false, [], null),
        new("The plain nvidia.com/gpu taint of GPU nodes is not ill health", n => Taint(n, "nvidia.com/gpu", null, "NoSchedule"), true, false, [], null),
        new("The unhealthy-GPU annotation marks single GPUs", n => n.Metadata.Annotations["berth.dev/unhealthy-gpus"] = "1,3", true, false, [1, 3], null),
        new("Unhealthy GPUs are sorted and listed once", n => n.Metadata.Annotations["berth.dev/unhealthy-gpus"] = "3, 1,3", true, false, [1, 3], null),
        new("An unhealthy GPU index beyond the node's GPUs is ignored with a warning", n => n.Metadata.Annotations["berth.dev/unhealthy-gpus"] = "1,9", true, false, [1], null),
        new("An unreadable unhealthy-GPU annotation is ignored with a warning", n => n.Metadata.Annotations["berth.dev/unhealthy-gpus"] = "one", true, false, [], null),
    };

    [Theory]
    [InlineData("aws-node-termination-handler/spot-itn", "e-1", "taint aws-node-termination-handler/spot-itn=e-1")]
    [InlineData("cloud.google.com/impending-node-termination", null, "taint cloud.google.com/impending-node-termination")]
    [InlineData("karpenter.sh/disrupted", null, "taint karpenter.sh/disrupted")]
    [InlineData("nvidia.com/gpu", null, null)]
    public void Translate_TerminationTaint_IsATerminationNotice(string key, string? value, string? notice)
    {
        var view = NodeTranslator.Translate(Taint(Objects.Node("n1"), key, value, "NoSchedule"));

        Assert.Equal(notice, view.TerminationNotice);
    }

    [Theory]
    [MemberData(nameof(HealthCases))]
    public void Translate_HealthVariant_ReadsSchedulableAndUnhealthyGpus(HealthCase health)
    {
        var node = Objects.Node("n1");
        health.Change(node);

        var view = NodeTranslator.Translate(node);

        Assert.Equal(health.Schedulable, view.Schedulable);
        Assert.Equal(health.GpusUnhealthy, view.GpusUnhealthy);
        Assert.Equal(health.UnhealthyGpus, view.UnhealthyGpus);
        Assert.Equal(8 - health.UnhealthyGpus.Length, view.HealthyGpuCount);
        Assert.Equal(8, view.Node.GpuCount);
        if (health.Mentions is not null)
        {
            Assert.Contains(health.Mentions, view.UnschedulableReason, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(view.UnschedulableReason);
        }
    }

    [Theory]
    [InlineData("1,9", "names GPU 9, but the node has GPUs 0 to 7")]
    [InlineData("one", "write GPU indices separated by commas")]
    public void Translate_BadUnhealthyAnnotation_WarnsWithoutThrowing(string annotation, string warning)
    {
        var node = Objects.Node("n1");
        node.Metadata.Annotations["berth.dev/unhealthy-gpus"] = annotation;

        var view = NodeTranslator.Translate(node);

        Assert.Contains(view.Warnings, w => w.Contains(warning, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2", 2, false)]
    [InlineData("8", 8, false)]
    [InlineData("3", null, true)]
    [InlineData("two", null, true)]
    [InlineData("0", null, true)]
    public void Translate_NvlinkIslandLabel_SetsTheIslandSizeOrWarns(string label, int? expected, bool warns)
    {
        var node = Objects.Node("n1");
        node.Metadata.Labels ??= new Dictionary<string, string>();
        node.Metadata.Labels["berth.dev/nvlink-island-size"] = label;

        var view = NodeTranslator.Translate(node);

        Assert.Equal(expected, view.Node.NvlinkIslandSize);
        Assert.Equal(warns, view.Warnings.Any(w => w.Contains("berth.dev/nvlink-island-size", StringComparison.Ordinal)));
    }

    [Fact]
    public void Translate_Capacity_ReadsAllocatableInModelUnitsRoundingDown()
    {
        var node = Objects.Node("n1", cpu: "63500m", memory: "528280964Ki", gpus: "8");
        node.Status.Capacity["cpu"] = new ResourceQuantity("64");

        var view = NodeTranslator.Translate(node);

        Assert.Equal("n1", view.Node.Name);
        Assert.Equal(63500, view.Node.CpuMilli);
        Assert.Equal(515899, view.Node.MemoryMiB);
        Assert.Equal(8, view.Node.GpuCount);
        Assert.Equal("A100", view.Node.GpuModel);
        Assert.Equal(80 * 1024, view.Node.GpuMemoryMiB);
        view.Node.Validate();
    }

    [Fact]
    public void Translate_NoAllocatable_FallsBackToCapacity()
    {
        var node = Objects.Node("n1", cpu: "32");
        node.Status.Allocatable = null;

        Assert.Equal(32000, NodeTranslator.Translate(node).Node.CpuMilli);
    }

    [Fact]
    public void Translate_CpuOnlyNode_HasNoGpuModel()
    {
        var node = Objects.Node("cpu-1", gpus: null);

        var view = NodeTranslator.Translate(node);

        Assert.Equal(0, view.Node.GpuCount);
        Assert.Null(view.Node.GpuModel);
        Assert.Empty(view.Warnings);
    }

    [Fact]
    public void Translate_MoreGpusThanTheModelAllows_ClampsWithAWarning()
    {
        var view = NodeTranslator.Translate(Objects.Node("big", gpus: "32"));

        Assert.Equal(Limits.MaxGpusPerNode, view.Node.GpuCount);
        Assert.Contains(view.Warnings, w => w.Contains("32 GPUs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("NVIDIA-A100-SXM4-80GB", "A100")]
    [InlineData("NVIDIA-A100-PCIE-40GB", "A100-40G")]
    [InlineData("NVIDIA-H100-80GB-HBM3", "H100")]
    [InlineData("NVIDIA-H100-NVL", "H100")]
    [InlineData("NVIDIA-H200", "H200")]
    [InlineData("NVIDIA-B200", "B200")]
    [InlineData("NVIDIA-L40S", "L40S")]
    [InlineData("NVIDIA-L4", "L4")]
    [InlineData("NVIDIA-A10G", "A10")]
    [InlineData("Tesla-T4", "T4")]
    [InlineData("Tesla-V100-SXM2-32GB", "V100M32")]
    [InlineData("Tesla-V100-SXM2-16GB", "V100M16")]
    [InlineData("Tesla-P100-PCIE-16GB", "P100")]
    [InlineData("nvidia-tesla-a100", "A100-40G")]
    [InlineData("nvidia-a100-80gb", "A100")]
    [InlineData("NVIDIA-GeForce-RTX-4090", "NVIDIA-GeForce-RTX-4090")]
    public void FromProduct_GpuProductName_GivesCatalogModel(string product, string model)
    {
        Assert.Equal(model, GpuModelNames.FromProduct(product));
    }

    [Fact]
    public void Translate_GpuModelLabels_BerthLabelWinsThenGfdThenGke()
    {
        var node = Objects.Node("n1");
        node.Metadata.Labels.Remove("nvidia.com/gpu.product");
        node.Metadata.Labels["cloud.google.com/gke-accelerator"] = "nvidia-h100-80gb";
        Assert.Equal("H100", NodeTranslator.Translate(node).Node.GpuModel);

        node.Metadata.Labels["nvidia.com/gpu.product"] = "NVIDIA-L4";
        Assert.Equal("L4", NodeTranslator.Translate(node).Node.GpuModel);

        node.Metadata.Labels["berth.dev/gpu-model"] = "MI300X";
        var view = NodeTranslator.Translate(node);
        Assert.Equal("MI300X", view.Node.GpuModel);
        Assert.Equal(0, view.Node.GpuMemoryMiB);
    }

    [Fact]
    public void Translate_NoGpuModelLabel_UsesUnknownWithAWarning()
    {
        var node = Objects.Node("n1");
        node.Metadata.Labels.Remove("nvidia.com/gpu.product");

        var view = NodeTranslator.Translate(node);

        Assert.Equal(NodeTranslator.UnknownGpuModel, view.Node.GpuModel);
        Assert.Contains(view.Warnings, w => w.Contains("GPU Feature Discovery", StringComparison.Ordinal));
        view.Node.Validate();
    }

    [Fact]
    public void Translate_GpuMemoryLabel_WinsOverTheCatalog()
    {
        var node = Objects.Node("n1");
        node.Metadata.Labels["nvidia.com/gpu.memory"] = "81559";

        Assert.Equal(81559, NodeTranslator.Translate(node).Node.GpuMemoryMiB);
    }

    [Fact]
    public void Translate_TaintsAndLabels_AreAllKept()
    {
        var node = Objects.Node("n1");
        node.Spec.Taints =
        [
            new V1Taint { Key = "nvidia.com/gpu", Effect = "NoSchedule" },
            new V1Taint { Key = "spot", Value = "true", Effect = "PreferNoSchedule" },
            new V1Taint { Key = "node.kubernetes.io/unreachable", Effect = "NoExecute" },
            new V1Taint { Key = "odd", Effect = "Sometimes" },
        ];

        var view = NodeTranslator.Translate(node);

        Assert.Equal(
            [new Taint("nvidia.com/gpu", null, TaintEffect.NoSchedule), new Taint("spot", "true", TaintEffect.PreferNoSchedule), new Taint("node.kubernetes.io/unreachable", null, TaintEffect.NoExecute), new Taint("odd", null, TaintEffect.NoSchedule)],
            view.Node.Taints);
        Assert.Contains(view.Warnings, w => w.Contains("Sometimes", StringComparison.Ordinal));
        Assert.Equal("n1", view.Node.Labels["kubernetes.io/hostname"]);
        Assert.Equal("NVIDIA-A100-SXM4-80GB", view.Node.Labels["nvidia.com/gpu.product"]);
    }
}
