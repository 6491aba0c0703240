using Berth.Engine.Fragmentation;
using Berth.Model;
using Berth.TestKit;

namespace Berth.Engine.Tests.Fragmentation;

public sealed class TargetWorkloadTests
{
    private static IEnumerable<Pod> Many(int count, Func<int, Pod> make) => Enumerable.Range(0, count).Select(make);

    [Fact]
    public void FromPods_TwentyPodsOfFiveTypes_KeepsTheFourCovering95PercentByTieRules()
    {
        // A 10 (cpu 1000, 1 GPU), C 4 (cpu 1000, 0.5 GPU), B 4 (cpu 2000, 0.5 GPU), E 1 (cpu 1000, 1 GPU, V100 only),
        // D 1 (CPU-only, cpu 4000). 95% of 20 = 19: A+C+B+E = 19 covers it, so D is cut.
        // B and C tie on count (C first: smaller cpu); D and E tie on count (E first: smaller cpu).
        var pods = Many(10, i => Make.Pod($"a{i}").Cpu(1000).Gpus(1).Build())
            .Concat(Many(4, i => Make.Pod($"b{i}").Cpu(2000).GpuShare(500).Build()))
            .Concat(Many(4, i => Make.Pod($"c{i}").Cpu(1000).GpuShare(500).Build()))
            .Concat([Make.Pod("d").Cpu(4000).Build(), Make.Pod("e").Cpu(1000).Gpus(1).Models("V100M16").Build()])
            .ToArray();

        var workload = TargetWorkload.FromPods(pods);

        Assert.Equal(5, workload.SourceTypeCount);
        Assert.Collection(
            workload.Types,
            t => Assert.Equal((1000L, 1000, 1, "", 10, Math.Round(10.0 / 19, 12)), Describe(t)),
            t => Assert.Equal((1000L, 500, 1, "", 4, Math.Round(4.0 / 19, 12)), Describe(t)),
            t => Assert.Equal((2000L, 500, 1, "", 4, Math.Round(4.0 / 19, 12)), Describe(t)),
            t => Assert.Equal((1000L, 1000, 1, "V100M16", 1, Math.Round(1.0 / 19, 12)), Describe(t)));
    }

    [Fact]
    public void FromPods_EqualCounts_OrdersByCpuThenShareThenGpuCountThenModels()
    {
        Pod[] pods =
        [
            Make.Pod("x1").Cpu(1000).Gpus(2).Build(),
            Make.Pod("x2").Cpu(1000).Gpus(1).Models("V100M16", "A100").Build(),
            Make.Pod("x3").Cpu(1000).Gpus(1).Build(),
            Make.Pod("x4").Cpu(1000).GpuShare(500).Build(),
            Make.Pod("x5").Cpu(1000).GpuShare(250).Build(),
            Make.Pod("x6").Cpu(500).Gpus(8).Build(),
        ];

        var workload = TargetWorkload.FromPods(pods, coverage: 1.0);

        Assert.Equal(
            ["500/1000x8/", "1000/250x1/", "1000/500x1/", "1000/1000x1/", "1000/1000x1/A100|V100M16", "1000/1000x2/"],
            workload.Types.Select(t => $"{t.CpuMilli}/{t.GpuMilli}x{t.GpuCount}/{string.Join('|', t.Models)}"));
        Assert.All(workload.Types, t => Assert.Equal(1.0 / 6, t.Probability, 12));
    }

    [Fact]
    public void FromPods_PodsDifferingOnlyInMemoryOrModelOrder_ShareOneType()
    {
        Pod[] pods =
        [
            Make.Pod("p1").Memory(1).GpuShare(300).Models("A100", "T4").Build(),
            Make.Pod("p2").Memory(99_999).GpuShare(300).Models("T4", "A100").Build(),
        ];

        var workload = TargetWorkload.FromPods(pods);

        var type = Assert.Single(workload.Types);
        Assert.Equal(2, type.Count);
        Assert.Equal(1.0, type.Probability);
        Assert.Equal(["A100", "T4"], type.Models);
    }

    [Fact]
    public void FromPods_PodsOfOneTypeWithDifferentMemory_RecordTheMedianMemory()
    {
        Pod[] pods =
        [
            Make.Pod("p1").Memory(4_000).Gpus(1).Build(),
            Make.Pod("p2").Memory(64_000).Gpus(1).Build(),
            Make.Pod("p3").Memory(16_000).Gpus(1).Build(),
        ];

        var type = Assert.Single(TargetWorkload.FromPods(pods).Types);

        Assert.Equal(16_000, type.MemoryMiB);
    }

    [Fact]
    public void FromPods_CoverageReachedExactly_StopsThere()
    {
        // 3 + 1 pods; coverage 0.75 needs exactly 3: the single-pod type is cut.
        var pods = Many(3, i => Make.Pod($"a{i}").Gpus(1).Build()).Append(Make.Pod("b").Gpus(2).Build());

        var workload = TargetWorkload.FromPods(pods, coverage: 0.75);

        var type = Assert.Single(workload.Types);
        Assert.Equal(1, type.GpuCount);
        Assert.Equal(1.0, type.Probability);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    public void FromPods_CoverageOutOfRange_Throws(double coverage)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TargetWorkload.FromPods([Make.Pod("p").Build()], coverage));
    }

    [Fact]
    public void FromPods_EmptyList_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => TargetWorkload.FromPods([]));

        Assert.Equal("pods", error.ParamName);
    }

    private static (long, int, int, string, int, double) Describe(WorkloadType t) =>
        (t.CpuMilli, t.GpuMilli, t.GpuCount, string.Join('|', t.Models), t.Count, Math.Round(t.Probability, 12));
}
