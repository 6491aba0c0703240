using Berth.Model.Gpus;
using Berth.TestKit;

namespace Berth.Model.Tests.Gpus;

public sealed class GpuSharingTests
{
    /// <summary>A node with a sharing mode it may not have, and words its error must carry.</summary>
    public sealed record BadSharing(string Name, Node Node, string Mentions)
    {
        public override string ToString() => Name;
    }

    private static readonly Node H100Node = Make.Node("n").Gpus(8, "H100").Build();

    public static TheoryData<BadSharing> BadNodes => new()
    {
        new("Time-slicing with one replica is refused", H100Node with { Sharing = GpuSharing.TimeSliced(1) }, "use 2 to 48"),
        new("Time-slicing past the client limit is refused", H100Node with { Sharing = GpuSharing.TimeSliced(49) }, "use 2 to 48"),
        new("MPS with a thread share above 100 is refused", H100Node with { Sharing = GpuSharing.Mps(4, 150) }, "use 1 to 100"),
        new("MPS pinning more memory than the GPU has is refused", H100Node with { GpuMemoryMiB = 81920, Sharing = GpuSharing.Mps(4, 25, 90_000) }, "up to the GPU's 81920 MiB"),
        new("Sharing on a node without GPUs is refused", Make.Node("cpu").Build() with { Sharing = GpuSharing.TimeSliced(4) }, "node without GPUs"),
        new("MIG on a GPU model without geometry is refused", Make.Node("n").Gpus(4, "T4").Build() with { Sharing = GpuSharing.Mig(MigLayout.Empty) }, "MIG is known for A100, A100-40G, H100, H200"),
        new("A MIG layout NVIDIA forbids is refused", H100Node with { Sharing = GpuSharing.Mig(MigLayout.Parse(["3g.40gb@0", "2g.20gb@2"])) }, "overlap in memory slice 2"),
        new("A MIG profile of another model is refused", H100Node with { Sharing = GpuSharing.Mig(MigLayout.Parse(["1g.5gb@0"])) }, "unknown MIG profile '1g.5gb' for GPU model H100"),
        new("An unplaced MIG layout is refused", H100Node with { Sharing = GpuSharing.Mig(MigLayout.Parse(["3g.40gb"])) }, "has no start"),
        new("Per-GPU layouts must match the GPU count", H100Node with { Sharing = GpuSharing.Mig([MigLayout.Empty, MigLayout.Empty]) }, "2 layouts for 8 GPUs"),
        new("A bad layout of one GPU names that GPU", Make.Node("n").Gpus(2, "H100").Build() with { Sharing = GpuSharing.Mig([MigLayout.Empty, MigLayout.Parse(["4g.40gb@4"])]) }, "GPU 1: MIG profile 4g.40gb cannot start"),
    };

    [Theory]
    [MemberData(nameof(BadNodes))]
    public void NodeValidate_BadSharing_ThrowsNamingSharing(BadSharing bad)
    {
        var error = Assert.Throws<ArgumentException>(bad.Node.Validate);

        Assert.Equal(nameof(Node.Sharing), error.ParamName);
        Assert.Contains(bad.Mentions, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeValidate_GoodSharing_DoesNotThrow()
    {
        var nodes = new[]
        {
            H100Node,
            H100Node with { Sharing = GpuSharing.TimeSliced(4) },
            H100Node with { Sharing = GpuSharing.Mps(4, 25, 20480) },
            H100Node with { Sharing = GpuSharing.Mig(MigLayout.Parse(["4g.40gb@0", "3g.40gb@4"])) },
            Make.Node("n").Gpus(2, "A100-40G").Build() with { Sharing = GpuSharing.Mig([MigLayout.Parse(["7g.40gb@0"]), MigLayout.Parse(["1g.5gb@0", "1g.5gb@1"])]) },
        };

        foreach (var node in nodes)
        {
            Assert.Null(Record.Exception(node.Validate));
        }
    }

    [Fact]
    public void Mps_WithoutThreadShare_SplitsThreadsEqually()
    {
        var mps = GpuSharing.Mps(4);

        Assert.Equal(25, mps.MpsActiveThreadPercent);
        Assert.Equal(4, mps.Replicas);
        Assert.Equal(GpuSharingMode.Mps, mps.Mode);
    }

    [Fact]
    public void MigLayoutOf_OneLayout_AppliesToEveryGpu()
    {
        var layout = MigLayout.Parse(["3g.40gb@0"]);
        var other = MigLayout.Parse(["7g.80gb@0"]);

        Assert.Equal(layout, GpuSharing.Mig(layout).MigLayoutOf(5));
        Assert.Equal(other, GpuSharing.Mig([layout, other]).MigLayoutOf(1));
        Assert.Equal(MigLayout.Empty, GpuSharing.Exclusive.MigLayoutOf(0));
    }

    [Fact]
    public void Equality_SameLayoutsBuiltTwice_AreEqual()
    {
        var a = GpuSharing.Mig(MigLayout.Parse(["3g.40gb@0", "3g.40gb@4"]));
        var b = GpuSharing.Mig(MigLayout.Parse(["3g.40gb@0", "3g.40gb@4"]));

        Assert.Equal(a, b);
        Assert.NotEqual(a, GpuSharing.Mig(MigLayout.Parse(["3g.40gb@4", "3g.40gb@0"])));
        Assert.NotEqual(GpuSharing.TimeSliced(2), GpuSharing.TimeSliced(3));
    }
}
