using Berth.Engine.Framework;
using Berth.Engine.Mig;
using Berth.Engine.Sharing;
using Berth.Model.Gpus;
using Berth.TestKit;
using static Berth.Engine.Tests.EngineTestHelpers;

namespace Berth.Engine.Tests.Sharing;

public sealed class SharedPlacementTests
{
    [Fact]
    public void Place_StaticMigLayout_TakesAnIdleInstanceOfTheProfileAndNeverRepartitions()
    {
        var cluster = new ClusterState([Make.Node("mig").Gpus(1, "H100").Mig(false, "3g.40gb@0", "2g.20gb@4", "1g.10gb@6").Build()]);
        var placer = PlacerFor("fgd", cluster);

        var first = placer.Place(Make.Pod("a").Mig("2g.20gb").Build());
        var second = placer.Place(Make.Pod("b").Mig("2g.20gb").Build());

        Assert.True(first.Placed);
        Assert.Equal((0, 4, 0), (MigMask.Gpu(first.GpuMask, 0), MigMask.Start(first.GpuMask, 0), first.MigRepartitions));
        Assert.False(second.Placed);
        Assert.Contains("no idle MIG instance of 2g.20gb in the static layout", second.Reason, StringComparison.Ordinal);
        Assert.Equal("3g.40gb@0, 2g.20gb@4, 1g.10gb@6", cluster.Shared.MigLayoutOf(0, 0).ToString());
    }

    [Fact]
    public void Place_RepartitionAllowed_CreatesTheInstanceAroundRunningOnesAndCountsIt()
    {
        var cluster = new ClusterState([Make.Node("mig").Gpus(1, "H100").Mig(true, "7g.80gb@0").Build()]);
        var placer = PlacerFor("fgd", cluster);

        var small = placer.Place(Make.Pod("a").Mig("1g.10gb").Build());
        var again = placer.Place(Make.Pod("b").Mig("3g.40gb").Build());

        Assert.Equal(1, small.MigRepartitions);
        Assert.Equal(1, again.MigRepartitions);
        var layout = cluster.Shared.MigLayoutOf(0, 0);
        Assert.Null(Geometry().Problem(layout));
        Assert.DoesNotContain("7g.80gb", layout.ToString(), StringComparison.Ordinal);

        // The 1g instance is still held where it was: nothing running moved.
        Assert.Equal(1 << MigMask.Start(small.GpuMask, 0) | (0b1111 << MigMask.Start(again.GpuMask, 0)), cluster.Shared.MigHeldMaskOf(0, 0));
    }

    [Fact]
    public void Place_IdleInstanceOnOneNodeRepartitionOnAnother_PrefersTheIdleInstance()
    {
        var cluster = new ClusterState(
        [
            Make.Node("empty").Gpus(1, "H100").Mig(true).Build(),
            Make.Node("laid").Gpus(1, "H100").Mig(true, "1g.10gb@0").Build(),
        ]);

        var result = PlacerFor("fgd", cluster).Place(Make.Pod("a").Mig("1g.10gb").Build());

        Assert.Equal(("laid", 0), (result.Assignment!.NodeName, result.MigRepartitions));
    }

    [Fact]
    public void Place_RepartitionOfEmptyGpus_ChoosesAsMigPackerDoes()
    {
        var cluster = new ClusterState([Make.Node("mig").Gpus(2, "A100").Mig(true).Build()]);
        var placer = PlacerFor("fgd", cluster);
        var packer = new MigPacker(new MigFragmentMeasure(Geometry("A100")));
        MigLayout[] layouts = [MigLayout.Empty, MigLayout.Empty];

        foreach (var (profile, i) in new[] { "1g.10gb", "3g.40gb", "1g.10gb", "2g.20gb", "1g.20gb", "4g.40gb" }.Select((p, i) => (p, i)))
        {
            var expected = packer.Choose(layouts, profile);
            var result = placer.Place(Make.Pod($"p{i}").Mig(profile).Build());

            Assert.Equal(expected is null, !result.Placed);
            if (expected is { } e)
            {
                Assert.Equal((e.Gpu, e.Start), (MigMask.Gpu(result.GpuMask, 0), MigMask.Start(result.GpuMask, 0)));
                layouts[e.Gpu] = new MigLayout([.. layouts[e.Gpu].Instances, new MigInstance(profile, e.Start)]);
            }
        }
    }

    [Fact]
    public void Unreserve_MigPod_LeavesTheInstanceIdleForTheNextPodOfItsProfile()
    {
        var cluster = new ClusterState([Make.Node("mig").Gpus(1, "H100").Mig(true).Build()]);
        var placer = PlacerFor("fgd", cluster);
        var pod = Make.Pod("a").Mig("3g.40gb").Build();
        var first = placer.Place(pod);

        placer.Unreserve(pod, first.NodeIndex, first.GpuMask);
        var second = placer.Place(Make.Pod("b").Mig("3g.40gb").Build());

        Assert.Equal((1, 0), (first.MigRepartitions, second.MigRepartitions));
        Assert.Equal(first.GpuMask, second.GpuMask);
        Assert.Equal(0, cluster.AllocatedGpuMilli - (1000 * 3 / 7));
    }

    [Fact]
    public void Place_SeveralInstances_SpreadOverGpusAndReleaseAll()
    {
        var cluster = new ClusterState([Make.Node("mig").Gpus(2, "H100").Mig(false, "4g.40gb@0", "3g.40gb@4").Build()]);
        var placer = PlacerFor("fgd", cluster);
        var pod = Make.Pod("a").Mig("3g.40gb", 2).Build();

        var result = placer.Place(pod);

        Assert.True(result.Placed);
        Assert.Equal([0, 1], result.Assignment!.GpuIndices);
        Assert.False(placer.Place(Make.Pod("b").Mig("3g.40gb").Build()).Placed);
        placer.Unreserve(pod, result.NodeIndex, result.GpuMask);
        Assert.Equal(0, cluster.AllocatedGpuMilli);
    }

    [Fact]
    public void Place_WholeGpuPod_NeverGoesToANodeThatSharesItsGpus()
    {
        var cluster = new ClusterState([Make.Node("mig").Gpus(8, "H100").Mig(true).Build(), Make.Node("ts").Gpus(8, "H100").Sharing(GpuSharing.TimeSliced(4)).Build()]);

        var result = PlacerFor("fgd", cluster).Place(Make.Pod("w").Gpus(1).Build());

        Assert.False(result.Placed);
        Assert.Contains("2 node shares its GPUs", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_MigPod_NeverGoesToAnExclusiveOrTimeSlicedNode()
    {
        var cluster = new ClusterState([Make.Node("x").Gpus(8, "H100").Build(), Make.Node("ts").Gpus(8, "H100").Sharing(GpuSharing.TimeSliced(4)).Build()]);

        var result = PlacerFor("fgd", cluster).Place(Make.Pod("m").Mig("1g.10gb").Build());

        Assert.False(result.Placed);
        Assert.Contains("1 node does not share its GPUs", result.Reason, StringComparison.Ordinal);
        Assert.Contains("1 node's GPUs are not MIG-partitioned", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_TimeSlicedReplicas_FillOneGpuUpToItsReplicasThenTheNext()
    {
        var cluster = new ClusterState([Make.Node("ts").Gpus(2, "H100").Sharing(GpuSharing.TimeSliced(3)).Build()]);
        var placer = PlacerFor("fgd", cluster);

        var masks = Enumerable.Range(0, 7).Select(i => placer.Place(Make.Pod($"p{i}").Replicas(1).Build())).Select(r => r.Placed ? r.GpuMask : -1).ToArray();

        Assert.Equal([1, 1, 1, 2, 2, 2, -1], masks);
        Assert.Equal(0, cluster.FreeGpuMilliOf(0));
    }

    [Fact]
    public void Place_ReplicasWithGpuMemory_NeverOverCommitTheGpusMemory()
    {
        var cluster = new ClusterState([Make.Node("mps").Gpus(1, "H100").Sharing(GpuSharing.Mps(8)).Build()]);
        var placer = PlacerFor("fgd", cluster);
        var memory = cluster.Shared.GpuMemoryOf(0);

        var big = placer.Place(Make.Pod("a").Replicas(1, memory - 1000).Build());
        var tooMuch = placer.Place(Make.Pod("b").Replicas(1, 1001).Build());
        var fits = placer.Place(Make.Pod("c").Replicas(1, 1000).Build());

        Assert.True(memory > 0);
        Assert.Equal((true, false, true), (big.Placed, tooMuch.Placed, fits.Placed));
        Assert.Equal(memory, cluster.Shared.MemoryHeldOf(0, 0));
    }

    [Fact]
    public void Place_MpsPinnedLimit_RefusesAClientAskingMoreMemoryThanItMayPin()
    {
        var cluster = new ClusterState([Make.Node("mps").Gpus(1, "H100").Sharing(GpuSharing.Mps(4, pinnedMemoryMiB: 10_000)).Build()]);
        var placer = PlacerFor("fgd", cluster);

        Assert.False(placer.Place(Make.Pod("a").Replicas(1, 10_001).Build()).Placed);
        Assert.True(placer.Place(Make.Pod("b").Replicas(2, 20_000).Build()).Placed);
    }

    private static MigGeometry Geometry(string model = "H100")
    {
        MigGeometries.TryGet(model, out var geometry);
        return geometry;
    }
}
