using Berth.Model;
using Berth.TestKit;

namespace Berth.Model.Tests;

public sealed class ValidationTests
{
    /// <summary>An invalid pod and the field (parameter name) and words its error must carry.</summary>
    public sealed record BadPod(string Name, Pod Pod, string Field, string Mentions)
    {
        public override string ToString() => Name;
    }

    /// <summary>An invalid node and the field (parameter name) and words its error must carry.</summary>
    public sealed record BadNode(string Name, Node Node, string Field, string Mentions)
    {
        public override string ToString() => Name;
    }

    private static readonly Pod GoodPod = Make.Pod("p").GpuShare(500).Build();
    private static readonly Pod CpuPod = Make.Pod("c").Build();
    private static readonly Node GoodNode = Make.Node("n").Gpus(4, "A100").Build();

    public static TheoryData<BadPod> BadPods => new()
    {
        new("An empty pod name is rejected", GoodPod with { Name = "" }, nameof(Pod.Name), "name is empty"),
        new("A blank pod name is rejected", GoodPod with { Name = "  " }, nameof(Pod.Name), "name is empty"),
        new("A negative CPU is rejected", GoodPod with { CpuMilli = -1 }, nameof(Pod.CpuMilli), "cpu_milli is -1"),
        new("A negative memory is rejected", GoodPod with { MemoryMiB = -2 }, nameof(Pod.MemoryMiB), "memory_mib is -2"),
        new("A negative GPU count is rejected", GoodPod with { GpuCount = -1 }, nameof(Pod.GpuCount), "num_gpu is -1"),
        new("More GPUs than a node may have are rejected", GoodPod with { GpuCount = 17, GpuMilli = 1000 }, nameof(Pod.GpuCount), "between 0 and 16"),
        new("A negative GPU share is rejected", GoodPod with { GpuMilli = -5 }, nameof(Pod.GpuMilli), "gpu_milli is -5"),
        new("A GPU share above 1000 is rejected", GoodPod with { GpuMilli = 1001 }, nameof(Pod.GpuMilli), "1000 = one whole GPU"),
        new("A GPU pod with share 0 is rejected", GoodPod with { GpuMilli = 0 }, nameof(Pod.GpuMilli), "gpu_milli 0"),
        new("A multi-GPU pod with a partial share is rejected", GoodPod with { GpuCount = 2, GpuMilli = 500 }, nameof(Pod.GpuMilli), "takes whole GPUs"),
        new("A negative GPU memory is rejected", GoodPod with { GpuMemoryMiB = -1 }, nameof(Pod.GpuMemoryMiB), "gpu memory is -1"),
        new("A MIG profile without a count is rejected", CpuPod with { MigProfile = "3g.40gb" }, nameof(Pod.MigProfile), "set both"),
        new("A MIG count without a profile is rejected", CpuPod with { MigCount = 1 }, nameof(Pod.MigProfile), "set both"),
        new("A MIG request with GPUs is rejected", GoodPod with { MigProfile = "3g.40gb", MigCount = 1 }, nameof(Pod.MigProfile), "more than one kind of GPU"),
        new("Time-sliced replicas with MIG are rejected", CpuPod with { MigProfile = "3g.40gb", MigCount = 1, SharedGpuReplicas = 1 }, nameof(Pod.MigProfile), "ask for one kind"),
        new("Too many time-sliced replicas are rejected", CpuPod with { SharedGpuReplicas = 49 }, nameof(Pod.SharedGpuReplicas), "between 0 and 48"),
        new("GPU memory with a MIG profile is rejected", CpuPod with { MigProfile = "3g.40gb", MigCount = 1, GpuMemoryMiB = 1024 }, nameof(Pod.GpuMemoryMiB), "the profile fixes the memory"),
        new("GPU memory without any GPU is rejected", CpuPod with { GpuMemoryMiB = 1024 }, nameof(Pod.GpuMemoryMiB), "asks for no GPU"),
    };

    public static TheoryData<BadNode> BadNodes => new()
    {
        new("An empty node name is rejected", GoodNode with { Name = "" }, nameof(Node.Name), "name is empty"),
        new("A negative CPU is rejected", GoodNode with { CpuMilli = -1 }, nameof(Node.CpuMilli), "cpu_milli is -1"),
        new("A negative memory is rejected", GoodNode with { MemoryMiB = -1 }, nameof(Node.MemoryMiB), "memory_mib is -1"),
        new("A negative GPU count is rejected", GoodNode with { GpuCount = -1 }, nameof(Node.GpuCount), "gpu count is -1"),
        new("More than 16 GPUs are rejected", GoodNode with { GpuCount = 17 }, nameof(Node.GpuCount), "between 0 and 16"),
        new("GPUs without a model are rejected", GoodNode with { GpuModel = null }, nameof(Node.GpuModel), "no GPU model"),
        new("GPUs with an empty model are rejected", GoodNode with { GpuModel = "" }, nameof(Node.GpuModel), "no GPU model"),
    };

    [Theory]
    [MemberData(nameof(BadPods))]
    public void PodValidate_BadPod_ThrowsNamingField(BadPod bad)
    {
        var error = Assert.Throws<ArgumentException>(bad.Pod.Validate);

        Assert.Equal(bad.Field, error.ParamName);
        Assert.Contains(bad.Mentions, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadNodes))]
    public void NodeValidate_BadNode_ThrowsNamingField(BadNode bad)
    {
        var error = Assert.Throws<ArgumentException>(bad.Node.Validate);

        Assert.Equal(bad.Field, error.ParamName);
        Assert.Contains(bad.Mentions, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(1, 999)]
    [InlineData(1, 1000)]
    [InlineData(8, 1000)]
    [InlineData(16, 1000)]
    public void PodValidate_ConsistentGpuRequest_DoesNotThrow(int count, int milli)
    {
        var pod = GoodPod with { GpuCount = count, GpuMilli = milli };

        var error = Record.Exception(pod.Validate);

        Assert.Null(error);
    }

    [Fact]
    public void NodeValidate_CpuOnlyNodeWithoutModel_DoesNotThrow()
    {
        var node = Make.Node("cpu").Build();

        Assert.Null(Record.Exception(node.Validate));
        Assert.Null(node.GpuModel);
    }

    [Theory]
    [InlineData(1, 999, true, false)]
    [InlineData(1, 1000, false, false)]
    [InlineData(2, 1000, false, false)]
    [InlineData(0, 0, false, true)]
    public void Pod_Shape_ClassifiesSharingAndCpuOnly(int count, int milli, bool sharing, bool cpuOnly)
    {
        var pod = GoodPod with { GpuCount = count, GpuMilli = milli };

        Assert.Equal(sharing, pod.IsSharing);
        Assert.Equal(cpuOnly, pod.IsCpuOnly);
        Assert.Equal((long)count * milli, pod.GpuDemandMilli);
    }

    [Fact]
    public void Pod_SharedRequests_AreNotCpuOnlyAndValidate()
    {
        var mig = CpuPod with { MigProfile = "3g.40gb", MigCount = 1 };
        var replica = CpuPod with { SharedGpuReplicas = 1, GpuMemoryMiB = 8192 };
        var share = GoodPod with { GpuMemoryMiB = 20480 };

        foreach (var pod in new[] { mig, replica, share })
        {
            Assert.Null(Record.Exception(pod.Validate));
            Assert.False(pod.IsCpuOnly);
        }

        Assert.True(mig.IsMig);
        Assert.False(replica.IsMig);
        Assert.True(CpuPod.IsCpuOnly);
    }
}
