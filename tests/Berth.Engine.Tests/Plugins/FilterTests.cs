using Berth.Engine.Framework;
using Berth.Model;
using Berth.TestKit;
using static Berth.Engine.Tests.EngineTestHelpers;

namespace Berth.Engine.Tests.Plugins;

public sealed class FilterTests
{
    /// <summary>
    /// One node, pods placed on it first (with tightest fit), then the pod under test: whether it fits,
    /// and when not, the reason the first failing filter gives.
    /// </summary>
    public sealed record Case(string Name, Node Node, Pod[] Before, Pod Pod, string? Reason)
    {
        public override string ToString() => Name;
    }

    private const string NoGpu = "node has no GPU";
    private const string ModelNotAllowed = "GPU model not allowed";
    private const string TooFewGpus = "node has too few GPUs";
    private const string InsufficientGpu = "Insufficient GPU";
    private const string InsufficientCpu = "Insufficient cpu";
    private const string InsufficientMemory = "Insufficient memory";
    private const string SelectorMismatch = "node(s) didn't match Pod's node selector";
    private const string Untolerated = "node(s) had untolerated taint";

    private static readonly Node Gpu2 = Make.Node("n").Cpu(8_000).Memory(16_384).Gpus(2, "A100").Build();
    private static readonly Pod Share600 = Make.Pod("s600").Cpu(0).Memory(0).GpuShare(600).Build();

    public static TheoryData<Case> Cases => new()
    {
        new("A CPU-only pod that fits CPU and memory fits", Gpu2, [], Make.Pod("p").Cpu(8_000).Memory(16_384).Build(), null),
        new("A CPU-only pod fits on a CPU-only node", Make.Node("c").Build(), [], Make.Pod("p").Build(), null),
        new("One milli-core too many does not fit", Gpu2, [], Make.Pod("p").Cpu(8_001).Build(), InsufficientCpu),
        new("One MiB too many does not fit", Gpu2, [], Make.Pod("p").Memory(16_385).Build(), InsufficientMemory),
        new("CPU already taken leaves too little", Gpu2, [Make.Pod("b").Cpu(6_000).Build()], Make.Pod("p").Cpu(2_001).Build(), InsufficientCpu),
        new("Memory already taken leaves too little", Gpu2, [Make.Pod("b").Memory(16_000).Build()], Make.Pod("p").Memory(385).Build(), InsufficientMemory),
        new("A GPU pod does not fit on a CPU-only node", Make.Node("c").Build(), [], Make.Pod("p").GpuShare(100).Build(), NoGpu),
        new("Two whole GPUs fit on an empty 2-GPU node", Gpu2, [], Make.Pod("p").Gpus(2).Build(), null),
        new("Three whole GPUs never fit on a 2-GPU node", Gpu2, [], Make.Pod("p").Gpus(3).Build(), TooFewGpus),
        new("Two whole GPUs do not fit when one GPU is partly used", Gpu2, [Share600], Make.Pod("p").Gpus(2).Build(), InsufficientGpu),
        new("One whole GPU fits beside a partly used GPU", Gpu2, [Share600], Make.Pod("p").Gpus(1).Build(), null),
        new("A share fits on the GPU left free", Gpu2, [Share600], Make.Pod("p").GpuShare(1000 - 1).Build(), null),
        new("A share equal to the free amount fits", Gpu2, [Share600, Share600], Make.Pod("p").GpuShare(400).Build(), null),
        new("A share above every GPU's free amount does not fit", Gpu2, [Share600, Share600], Make.Pod("p").GpuShare(401).Build(), InsufficientGpu),
        new("A whole GPU does not fit when every GPU is partly used", Gpu2, [Share600, Share600], Make.Pod("p").Gpus(1).Build(), InsufficientGpu),
        new("An allowed model fits", Gpu2, [], Make.Pod("p").Gpus(1).Models("V100M16", "A100").Build(), null),
        new("A disallowed model does not fit", Gpu2, [], Make.Pod("p").Gpus(1).Models("V100M16").Build(), ModelNotAllowed),
        new("A model absent from the cluster does not fit", Gpu2, [], Make.Pod("p").Gpus(1).Models("H100").Build(), ModelNotAllowed),
        new("A model list does not restrict a CPU-only pod", Gpu2, [], Make.Pod("p").Models("H100").Build(), null),
        new("A matching node selector fits", Make.Node("n").Label("zone", "a").Label("rack", "1").Build(), [], Make.Pod("p").Selector("zone", "a").Build(), null),
        new("A selector value that differs does not fit", Make.Node("n").Label("zone", "a").Build(), [], Make.Pod("p").Selector("zone", "b").Build(), SelectorMismatch),
        new("A selector key the node lacks does not fit", Make.Node("n").Label("zone", "a").Build(), [], Make.Pod("p").Selector("rack", "1").Build(), SelectorMismatch),
        new("Every selector label must match", Make.Node("n").Label("zone", "a").Build(), [], Make.Pod("p").Selector("zone", "a").Selector("rack", "1").Build(), SelectorMismatch),
        new("A NoSchedule taint blocks a pod without tolerations", Make.Node("n").Taint("gpu", "x").Build(), [], Make.Pod("p").Build(), Untolerated),
        new("A NoExecute taint blocks a pod without tolerations", Make.Node("n").Taint("gpu", "x", TaintEffect.NoExecute).Build(), [], Make.Pod("p").Build(), Untolerated),
        new("A PreferNoSchedule taint does not block", Make.Node("n").Taint("gpu", "x", TaintEffect.PreferNoSchedule).Build(), [], Make.Pod("p").Build(), null),
        new("A matching Equal toleration lets the pod in", Make.Node("n").Taint("gpu", "x").Build(), [], Make.Pod("p").Tolerate("gpu", "x").Build(), null),
        new("An Equal toleration with another value does not", Make.Node("n").Taint("gpu", "x").Build(), [], Make.Pod("p").Tolerate("gpu", "y").Build(), Untolerated),
        new("An Exists toleration of the key lets the pod in", Make.Node("n").Taint("gpu", "x").Build(), [], Make.Pod("p").Tolerate("gpu").Build(), null),
        new("A toleration for another effect does not", Make.Node("n").Taint("gpu", "x").Build(), [], Make.Pod("p").Tolerate("gpu", null, TaintEffect.NoExecute).Build(), Untolerated),
        new("Every blocking taint must be tolerated", Make.Node("n").Taint("a").Taint("b").Build(), [], Make.Pod("p").Tolerate("a").Build(), Untolerated),
        new("A model mismatch is reported before lack of GPU capacity", Gpu2, [Share600, Share600], Make.Pod("p").Gpus(1).Models("T4").Build(), ModelNotAllowed),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_SingleNode_FitsOrGivesFirstFailingReason(Case c)
    {
        var cluster = new ClusterState([c.Node]);
        var placer = PlacerFor("bestfit", cluster);
        foreach (var before in c.Before)
        {
            Assert.True(placer.Place(before).Placed, $"setup pod {before.Name} must fit");
        }

        var result = placer.Evaluate(c.Pod);

        Assert.Equal(c.Reason is null, result.Placed);
        Assert.Equal(c.Reason is null, placer.CanHost(c.Pod, 0));
        if (c.Reason is not null)
        {
            Assert.NotNull(result.Diagnosis);
            Assert.Equal([new ReasonCount(c.Reason, 1)], result.Diagnosis.Reasons);
            Assert.Null(result.Assignment);
        }
        else
        {
            Assert.Equal(1, result.FeasibleNodes);
            Assert.Equal(c.Pod.GpuCount, result.Assignment!.GpuIndices.Count);
        }
    }

    [Fact]
    public void Evaluate_NothingFits_DiagnosisCountsNodesPerReasonMostFirst()
    {
        Node[] nodes =
        [
            Make.Node("cpu-only").Build(),
            Make.Node("v100").Gpus(4, "V100M16").Build(),
            Make.Node("small").Gpus(1, "A100").Build(),
            Make.Node("weak").Cpu(500).Gpus(4, "A100").Build(),
            Make.Node("tainted-1").Gpus(4, "A100").Taint("team", "x").Build(),
            Make.Node("tainted-2").Gpus(4, "A100").Taint("team", "y").Build(),
        ];
        var placer = PlacerFor("bestfit", new ClusterState(nodes));
        var pod = Make.Pod("p").Cpu(1_000).Gpus(2).Models("A100").Build();

        var result = placer.Place(pod);

        Assert.False(result.Placed);
        Assert.Equal(
            [
                new ReasonCount(Untolerated, 2),
                new ReasonCount(ModelNotAllowed, 1),
                new ReasonCount(InsufficientCpu, 1),
                new ReasonCount(NoGpu, 1),
                new ReasonCount(TooFewGpus, 1),
            ],
            result.Diagnosis!.Reasons);
        Assert.Equal(6, result.Diagnosis.TotalNodes);
        Assert.StartsWith("0/6 nodes are available: 2 node(s) had untolerated taint, 1 GPU model not allowed", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, placer.Cluster.AllocatedGpuMilli);
    }

    [Fact]
    public void Evaluate_OneNodeFits_ReportsItAndChangesNothing()
    {
        var cluster = new ClusterState([Make.Node("a").Build(), Make.Node("b").Gpus(2).Build()]);
        var placer = PlacerFor("bestfit", cluster);

        var result = placer.Evaluate(Make.Pod("p").Gpus(2).Build());

        Assert.True(result.Placed);
        Assert.Equal("b", result.Assignment!.NodeName);
        Assert.Equal(1, result.FeasibleNodes);
        Assert.Equal([1000, 1000], Free(cluster, 1));
        Assert.Equal(0, cluster.AllocatedGpuMilli);
    }
}
