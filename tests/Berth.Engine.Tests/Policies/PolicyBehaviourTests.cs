using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.TestKit;
using static Berth.Engine.Tests.EngineTestHelpers;

namespace Berth.Engine.Tests.Policies;

public sealed class PolicyBehaviourTests
{
    [Theory]
    [InlineData("random", true)]
    [InlineData("fgd", false)]
    [InlineData("fgd-peer", false)]
    [InlineData("bestfit", false)]
    public void DrawsRandomly_Policy_TrueOnlyWhereDecisionsDrawFromTheSeededStream(string policy, bool expected)
    {
        // Admission leaves out placement trials that cannot change the outcome only when no later draw depends on them.
        var cluster = new ClusterState([Make.Node("n").Gpus(8).Build()]);

        Assert.Equal(expected, PlacerFor(policy, cluster).DrawsRandomly);
    }

    [Fact]
    public void BestFit_NodesOfDifferentSize_PicksTheTightestNode()
    {
        // Leftover after a 1-GPU pod: 7, 1 and 3 GPUs (same CPU): the 2-GPU node is tightest.
        var cluster = new ClusterState([Make.Node("n8").Gpus(8).Build(), Make.Node("n2").Gpus(2).Build(), Make.Node("n4").Gpus(4).Build()]);

        var result = PlacerFor("bestfit", cluster).Place(Make.Pod("p").Gpus(1).Build());

        Assert.Equal("n2", result.Assignment!.NodeName);
    }

    [Fact]
    public void BestFit_CpuOnlyPod_PicksNodeWithLeastCpuLeft()
    {
        var cluster = new ClusterState([Make.Node("big").Cpu(64_000).Build(), Make.Node("small").Cpu(4_000).Build(), Make.Node("mid").Cpu(16_000).Build()]);

        var result = PlacerFor("bestfit", cluster).Place(Make.Pod("p").Cpu(2_000).Build());

        Assert.Equal("small", result.Assignment!.NodeName);
    }

    [Fact]
    public void DotProd_CpuHeavyAndGpuHeavyNodes_PicksSmallestDotProduct()
    {
        // Pod [8000/128000, 1000/8000]. cpuRich [64000, 1 GPU]: dot 0.046875 -> 97; gpuRich [8000, 8 GPUs]: dot 0.1289 -> 93.
        var cluster = new ClusterState([Make.Node("gpuRich").Cpu(8_000).Gpus(8).Build(), Make.Node("cpuRich").Cpu(64_000).Gpus(1).Build()]);

        var result = PlacerFor("dotprod", cluster).Place(Make.Pod("p").Cpu(8_000).Gpus(1).Build());

        Assert.Equal("cpuRich", result.Assignment!.NodeName);
    }

    [Fact]
    public void Fgd_HalfGpuPod_GoesWhereItCreatesTheLeastFragment()
    {
        // Half-GPU workload. tight: one GPU with 600 free; F 0 before, [100] after -> growth 100.
        // fresh: one GPU with 1000 free; F 0 before, [500] after -> growth 0. FGD picks fresh; bestfit picks tight.
        ClusterState Cluster()
        {
            var c = new ClusterState([Make.Node("tight").Gpus(1).Build(), Make.Node("fresh").Gpus(1).Build()]);
            Occupy(c, 0, 0, 400);
            return c;
        }

        var pod = Make.Pod("p").GpuShare(500).Build();
        var target = Only(1000, 500, 1);

        Assert.Equal("fresh", PlacerFor("fgd", Cluster(), target: target).Place(pod).Assignment!.NodeName);
        Assert.Equal("fresh", PlacerFor("fgd-peer", Cluster(), target: target).Place(pod).Assignment!.NodeName);
        Assert.Equal("tight", PlacerFor("bestfit", Cluster(), target: target).Place(pod).Assignment!.NodeName);
    }

    [Fact]
    public void Fgd_SharingPodInsideNode_ChoosesTheGpuThatLeavesNoFragment()
    {
        // free [1000, 600], half-GPU workload: on GPU 0 -> [500, 600] F 0; on GPU 1 -> [1000, 100] F 100.
        // Tightest fit would take GPU 1; FGD takes GPU 0.
        ClusterState Cluster()
        {
            var c = new ClusterState([Make.Node("n").Gpus(2).Build()]);
            Occupy(c, 0, 1, 400);
            return c;
        }

        var pod = Make.Pod("p").GpuShare(500).Build();

        var fgd = PlacerFor("fgd", Cluster(), target: Only(1000, 500, 1)).Place(pod);
        var bestfit = PlacerFor("bestfit", Cluster()).Place(pod);

        Assert.Equal([0], fgd.Assignment!.GpuIndices);
        Assert.Equal([1], bestfit.Assignment!.GpuIndices);
    }

    [Fact]
    public void Fgd_CpuOnlyPod_AvoidsTheNodeWhoseGpusItWouldStrand()
    {
        // Workload: 1-GPU pods needing 4 cores. gpu node (8 cores, 1 GPU): a 6-core CPU pod leaves 2 cores, so its
        // idle GPU becomes fragment (growth 1000). cpu node (no GPU): F stays 0. FGD sends the CPU pod to the CPU node.
        var cluster = new ClusterState([Make.Node("gpu").Cpu(8_000).Gpus(1).Build(), Make.Node("cpu").Cpu(8_000).Build()]);

        var result = PlacerFor("fgd", cluster, target: Only(4_000, 1000, 1)).Place(Make.Pod("p").Cpu(6_000).Build());

        Assert.Equal("cpu", result.Assignment!.NodeName);
    }

    [Fact]
    public void TightestFit_SharingPod_TakesSmallestFreeThatFitsLowestIndexOnTies()
    {
        ClusterState Cluster()
        {
            // free [1000, 700, 300, 700]
            var c = new ClusterState([Make.Node("n").Gpus(4).Build()]);
            Occupy(c, 0, 1, 300);
            Occupy(c, 0, 2, 700);
            Occupy(c, 0, 3, 300);
            return c;
        }

        Assert.Equal([2], PlacerFor("bestfit", Cluster()).Place(Make.Pod("a").GpuShare(250).Build()).Assignment!.GpuIndices);
        Assert.Equal([1], PlacerFor("bestfit", Cluster()).Place(Make.Pod("b").GpuShare(600).Build()).Assignment!.GpuIndices);
        Assert.Equal([0], PlacerFor("bestfit", Cluster()).Place(Make.Pod("c").GpuShare(800).Build()).Assignment!.GpuIndices);
        Assert.Equal([0], PlacerFor("gpupacking", Cluster()).Place(Make.Pod("d").Gpus(1).Build()).Assignment!.GpuIndices);
    }

    [Fact]
    public void TightestFit_WholeGpuPod_TakesLowestIndexFullyFreeGpus()
    {
        var cluster = new ClusterState([Make.Node("n").Gpus(8).Build()]);
        Occupy(cluster, 0, 0, 1);
        Occupy(cluster, 0, 2, 1000);

        var result = PlacerFor("dotprod", cluster).Place(Make.Pod("p").Gpus(3).Build());

        Assert.Equal([1, 3, 4], result.Assignment!.GpuIndices);
        Assert.Equal([999, 0, 0, 0, 0, 1000, 1000, 1000], Free(cluster, 0));
    }

    [Fact]
    public void GpuPacking_SharingPod_PrefersPartlyUsedGpuOverIdleNode()
    {
        // idle: max(33 - 8, 8) = 25; used: fits in GPU 0 (500 free), S = 50, max(100 - 5, 50) = 95.
        var cluster = new ClusterState([Make.Node("idle").Gpus(8).Build(), Make.Node("used").Gpus(8).Build()]);
        Occupy(cluster, 1, 0, 500);

        var result = PlacerFor("gpupacking", cluster).Place(Make.Pod("p").GpuShare(300).Build());

        Assert.Equal("used", result.Assignment!.NodeName);
        Assert.Equal([0], result.Assignment.GpuIndices);
    }

    [Fact]
    public void GpuPacking_WholeGpuPod_PrefersUsedNodeThenSmallerIdleNode()
    {
        // used node, fully free GPUs needed: max(50 - (7 - 1), 33) = 44 beats idle 8-GPU 25 and idle 1-GPU 32.
        var cluster = new ClusterState([Make.Node("idle8").Gpus(8).Build(), Make.Node("idle1").Gpus(1).Build(), Make.Node("used").Gpus(8).Build()]);
        Occupy(cluster, 2, 0, 500);
        var placer = PlacerFor("gpupacking", cluster);

        Assert.Equal("used", placer.Evaluate(Make.Pod("p").Gpus(1).Build()).Assignment!.NodeName);

        var idleOnly = new ClusterState([Make.Node("idle8").Gpus(8).Build(), Make.Node("idle1").Gpus(1).Build()]);
        Assert.Equal("idle1", PlacerFor("gpupacking", idleOnly).Place(Make.Pod("p").Gpus(1).Build()).Assignment!.NodeName);
    }

    [Fact]
    public void GpuClustering_PodsOfOneShape_GoToNodesHostingThatShape()
    {
        // share on n0 GPU 0, 1-gpu on n1 GPU 0, n2 idle.
        // share pod: n0 = floor(25*500/8000) + 75 = 76, n1 = 3 + 0, n2 = 0 + 25 -> n0.
        // 1-gpu pod: n1 = 3 + 75 = 78, n0 = 1 + 0, n2 = 25 -> n1.
        var cluster = new ClusterState([Make.Node("n0").Gpus(8).Build(), Make.Node("n1").Gpus(8).Build(), Make.Node("n2").Gpus(8).Build()]);
        var placer = PlacerFor("gpuclustering", cluster);
        placer.Reserve(cluster.Compile(Make.Pod("s").GpuShare(500).Build()), 0, 1);
        placer.Reserve(cluster.Compile(Make.Pod("w").Gpus(1).Build()), 1, 1);

        Assert.Equal("n0", placer.Evaluate(Make.Pod("share").GpuShare(200).Build()).Assignment!.NodeName);
        Assert.Equal("n1", placer.Evaluate(Make.Pod("whole").Gpus(1).Build()).Assignment!.NodeName);
        Assert.Equal("n2", placer.Evaluate(Make.Pod("two").Gpus(2).Build()).Assignment!.NodeName);
    }

    [Fact]
    public void GpuClustering_AfterUnreserve_ForgetsTheShape()
    {
        // n1 keeps a share pod; a 1-gpu pod is reserved there and unreserved. A new 1-gpu pod then scores
        // n0 (idle) 25 and n1 (only other tags) floor(25*500/8000) = 1: n0. Had n1 kept the 1-gpu tag it would score 51.
        var cluster = new ClusterState([Make.Node("n0").Gpus(8).Build(), Make.Node("n1").Gpus(8).Build()]);
        var placer = PlacerFor("gpuclustering", cluster);
        placer.Reserve(cluster.Compile(Make.Pod("s").GpuShare(500).Build()), 1, 1);
        var whole = Make.Pod("w").Gpus(1).Build();
        placer.Reserve(cluster.Compile(whole), 1, 2);
        Assert.Equal("n1", placer.Evaluate(Make.Pod("x").Gpus(1).Build()).Assignment!.NodeName);

        placer.Unreserve(whole, 1, 2);

        Assert.Equal("n0", placer.Evaluate(Make.Pod("x").Gpus(1).Build()).Assignment!.NodeName);
        Assert.Equal([500, 1000, 1000, 1000, 1000, 1000, 1000, 1000], Free(cluster, 1));
    }

    [Fact]
    public void Random_SameSeed_GivesSameDecisionsAndDifferentSeedsDiffer()
    {
        var nodes = Enumerable.Range(0, 10).Select(i => Make.Node($"n{i}").Gpus(4).Build()).ToArray();
        var pods = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? Make.Pod($"p{i}").GpuShare(300).Build() : Make.Pod($"p{i}").Gpus(1).Build()).ToArray();
        string Decisions(int seed)
        {
            var placer = PlacerFor("random", new ClusterState(nodes), seed);
            return string.Join(";", pods.Select(p => placer.Place(p).Assignment!.ToString()));
        }

        Assert.Equal(Decisions(7), Decisions(7));
        Assert.NotEqual(Decisions(7), Decisions(8));
    }

    [Fact]
    public void Evaluate_RandomPolicy_DoesNotChangeTheNextDecision()
    {
        // Evaluate is documented as a what-if that changes nothing, so it must not advance the placer's random stream.
        var nodes = Enumerable.Range(0, 16).Select(i => Make.Node($"n{i}").Gpus(4).Build()).ToArray();
        var pods = Enumerable.Range(0, 8).Select(i => Make.Pod($"p{i}").GpuShare(300).Build()).ToArray();
        var plain = PlacerFor("random", new ClusterState(nodes), seed: 5);
        var probed = PlacerFor("random", new ClusterState(nodes), seed: 5);

        var expected = pods.Select(p => plain.Place(p).Assignment!.ToString()).ToArray();
        var actual = pods.Select(p =>
        {
            probed.Evaluate(p);
            return probed.Place(p).Assignment!.ToString();
        }).ToArray();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Get_UnknownPolicy_ThrowsListingValidNames()
    {
        var error = Assert.Throws<ArgumentException>(() => PlacementPolicies.Get("fdg"));

        Assert.Contains("'fdg'", error.Message, StringComparison.Ordinal);
        Assert.All(PlacementPolicies.Names, name => Assert.Contains(name, error.Message, StringComparison.Ordinal));
        Assert.False(PlacementPolicies.TryGet("FGD", out _)); // names are case-sensitive
    }

    [Fact]
    public void Names_EveryPolicy_BuildsAPlacer()
    {
        var cluster = new ClusterState([Make.Node("n").Gpus(1).Build()]);

        Assert.Contains(PlacementPolicies.Default, PlacementPolicies.Names);
        Assert.All(PlacementPolicies.Names, name => Assert.True(PlacerFor(name, cluster).Evaluate(Make.Pod("p").Gpus(1).Build()).Placed));
    }
}
