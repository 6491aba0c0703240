using Berth.Engine.Framework;
using Berth.Model.Gpus;
using Berth.TestKit;
using static Berth.Engine.Tests.EngineTestHelpers;

namespace Berth.Engine.Tests.Framework;

public sealed class ClusterStateTests
{
    private static PodRequest Share(int milli, long cpu = 0) => new(cpu, 0, 1, milli, PodRequest.AnyModel, false);

    [Fact]
    public void Constructor_MixedNodes_FlattensGpusAndSortsModels()
    {
        var cluster = new ClusterState([Make.Node("a").Gpus(2, "T4").Build(), Make.Node("c").Build(), Make.Node("b").Gpus(4, "A100").Build()]);

        Assert.Equal(["A100", "T4"], cluster.ModelNames);
        Assert.Equal(1, cluster.ModelIdOf(0));
        Assert.Equal(-1, cluster.ModelIdOf(1));
        Assert.Equal(0, cluster.ModelIdOf(2));
        Assert.Equal(6, cluster.TotalGpus);
        Assert.Equal(6000, cluster.TotalGpuMilli);
        Assert.Equal([0, 2, 2, 6], cluster.GpuStart);
        Assert.Equal(0, cluster.GpuFreeOf(1).Length);
    }

    [Fact]
    public void Compile_PodAskingMigOrReplicas_CompilesToItsSharedPartWithNoWholeGpu()
    {
        var cluster = new ClusterState([Make.Node("a").Gpus(8, "H100").Build()]);

        var mig = cluster.Compile(Make.Pod("m").Mig("3g.40gb", 2).Build());
        var replica = cluster.Compile(Make.Pod("r").Replicas(2, 4096).Build());

        Assert.Equal((0, "3g.40gb", 2, true), (mig.GpuCount, mig.MigProfile, mig.MigCount, mig.IsShared));
        Assert.Equal((0, 2, 4096L, true), (replica.GpuCount, replica.SharedReplicas, replica.SharedMemoryMiB, replica.IsShared));
        Assert.False(cluster.Compile(Make.Pod("c").Build()).IsShared);
    }

    [Fact]
    public void Compile_MoreMigInstancesThanAPodMayHold_ThrowsNamingTheFix()
    {
        var cluster = new ClusterState([Make.Node("a").Gpus(8, "H100").Build()]);

        var error = Assert.Throws<ArgumentException>(() => cluster.Compile(Make.Pod("m").Mig("1g.10gb", 5).Build()));

        Assert.Contains("split it into pods of up to 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DuplicateNodeName_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClusterState([Make.Node("x").Build(), Make.Node("x").Build()]));

        Assert.Contains("'x' appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidNode_ThrowsFromValidate()
    {
        var bad = Make.Node("x").Build() with { CpuMilli = -1 };

        var error = Assert.Throws<ArgumentException>(() => new ClusterState([bad]));

        Assert.Equal("CpuMilli", error.ParamName);
    }

    [Fact]
    public void Allocate_MoreThanFree_ThrowsAndChangesNothing()
    {
        var cluster = new ClusterState([Make.Node("n").Cpu(1_000).Gpus(2).Build()]);
        Occupy(cluster, 0, 0, 700);

        Assert.Throws<InvalidOperationException>(() => cluster.Allocate(0, Share(400), 1));
        Assert.Throws<InvalidOperationException>(() => cluster.Allocate(0, Share(100, cpu: 1_001), 2));
        Assert.Throws<InvalidOperationException>(() => cluster.Allocate(0, Share(100), 3)); // two bits for one GPU
        Assert.Throws<InvalidOperationException>(() => cluster.Allocate(0, Share(100), 4)); // a GPU the node lacks

        Assert.Equal([300, 1000], Free(cluster, 0));
        Assert.Equal(1_000, cluster.FreeCpuOf(0));
        Assert.Equal(700, cluster.AllocatedGpuMilli);
    }

    [Fact]
    public void Release_MoreThanAllocated_Throws()
    {
        var cluster = new ClusterState([Make.Node("n").Gpus(1).Build()]);
        Occupy(cluster, 0, 0, 300);

        Assert.Throws<InvalidOperationException>(() => cluster.Release(0, Share(400), 1));
        Assert.Throws<InvalidOperationException>(() => cluster.Release(0, Share(100, cpu: 1), 1));
        Assert.Equal([700], Free(cluster, 0));
    }

    [Fact]
    public void AllocateThenRelease_RestoresAggregatesAndBumpsVersion()
    {
        var cluster = new ClusterState([Make.Node("n").Gpus(4).Build()]);
        var version = cluster.VersionOf(0);
        var whole = new PodRequest(2_000, 1_024, 2, 1000, PodRequest.AnyModel, false);

        cluster.Allocate(0, whole, 0b0110);
        Assert.Equal((2000, 2, 1000), (cluster.FreeGpuMilliOf(0), cluster.FullyFreeGpus[0], cluster.MaxGpuFree[0]));
        Assert.Equal(2000, cluster.AllocatedGpuMilli);

        cluster.Release(0, whole, 0b0110);

        Assert.Equal((4000, 4, 1000), (cluster.FreeGpuMilliOf(0), cluster.FullyFreeGpus[0], cluster.MaxGpuFree[0]));
        Assert.Equal(0, cluster.AllocatedGpuMilli);
        Assert.Equal(32_000, cluster.FreeCpuOf(0));
        Assert.Equal(version + 2, cluster.VersionOf(0));
    }

    [Fact]
    public void Compile_ModelsAndConstraints_BuildsMaskAndFlag()
    {
        var cluster = new ClusterState([Make.Node("a").Gpus(1, "A100").Build(), Make.Node("t").Gpus(1, "T4").Build()]);

        var any = cluster.Compile(Make.Pod("p").Gpus(1).Build());
        var t4 = cluster.Compile(Make.Pod("p").Gpus(1).Models("T4", "H100").Build());
        var absent = cluster.Compile(Make.Pod("p").Gpus(1).Models("H100").Build());
        var selected = cluster.Compile(Make.Pod("p").Selector("k", "v").Build());

        Assert.Equal(PodRequest.AnyModel, any.AllowedModelMask);
        Assert.Equal(1UL << 1, t4.AllowedModelMask);
        Assert.False(t4.AllowsModel(0));
        Assert.True(t4.AllowsModel(1));
        Assert.False(t4.AllowsModel(-1));
        Assert.Equal(0UL, absent.AllowedModelMask);
        Assert.False(any.HasNodeConstraints);
        Assert.True(selected.HasNodeConstraints);
    }
}
