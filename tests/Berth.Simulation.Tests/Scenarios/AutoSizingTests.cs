using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Formats;

namespace Berth.Simulation.Tests.Scenarios;

/// <summary>
/// Auto sizing on two tiny ITP-like files, derived by hand.
/// a.csv: 8 GPUs x 3600 s + 4 x 1800 + 16 x 7200 = 28,800 + 7,200 + 115,200 = 151,200 GPU-seconds.
/// b.csv: 2 x 3600 + 1 x 1800 = 9,000 GPU-seconds. Total 160,200 over a submit span of 7,200 - 0 s:
/// offered load 22.25 GPUs.
/// </summary>
public sealed class AutoSizingTests
{
    private const string A = "job_id,submission_time,duration,num_gpu\n1,0,3600,8\n2,600,1800,4\n3,3600,7200,16\n";
    private const string B = "job_id,submission_time,duration,num_gpu\nx,1200,3600,2\ny,7200,1800,1\n";

    private static string Scenario(string targetLoad, string fixedQuota) =>
        "kind: Scenario\nname: auto\ncluster:\n  targetLoad: " + targetLoad + "\n  nodeGroups:\n"
        + "    - {name: g, count: auto, gpus: 4, gpuModel: A100, cpu: 64, memory: 256Gi}\n"
        + "flavors: [{name: f}]\ncohorts: [{name: c}]\nqueues:\n"
        + "  - {name: a, cohort: c, flavors: [{flavor: f, gpu: {nominal: auto}}]}\n"
        + "  - {name: b, cohort: c, flavors: [{flavor: f, gpu: {nominal: auto}}]}\n"
        + "  - {name: fixed, cohort: c, flavors: [{flavor: f, gpu: " + fixedQuota + "}]}\n"
        + "sources:\n  - itp: {dir: traces, gpusPerPod: 4}\n";

    private static Berth.Simulation.Scenarios.Scenario Read(TempDir dir, string text)
    {
        Directory.CreateDirectory(dir.File("traces"));
        dir.Write("traces/a.csv", A);
        dir.Write("traces/b.csv", B);
        return ScenarioReader.Read(dir.Write("auto.yaml", text));
    }

    [Fact]
    public void Read_AutoGroupAndQuotas_MatchTheHandDerivedValues()
    {
        using var dir = new TempDir();

        // 22.25 / (0.8 x 4) = 6.95 -> 7 nodes, 28 GPUs; 'fixed' holds 1, so 27 are split 151,200 : 9,000:
        // a = 25.483, b = 1.517 -> floors 25 + 1 = 26, the one left goes to b (remainder .517 > .483).
        var s = Read(dir, Scenario("0.8", "1"));

        Assert.Equal(7, s.NodeGroups[0].Count);
        Assert.Equal(7, s.Nodes.Count);
        Assert.Equal([25_000L, 2_000L, 1_000L], s.Queues.Queues.Select(q => q.Flavors[0].Gpu!.Nominal));
        Assert.Equal(3, s.Notes.Count);
        Assert.StartsWith("cluster: 7 nodes of 4 GPUs (node group g) for offered load 22.", s.Notes[0], StringComparison.Ordinal);
        Assert.Contains("at target 0.8", s.Notes[0], StringComparison.Ordinal);
        Assert.StartsWith("queue a, flavor f: nominal 25 GPUs of 27", s.Notes[1], StringComparison.Ordinal);
        Assert.StartsWith("queue b, flavor f: nominal 2 GPUs of 27", s.Notes[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OfferedLoadAnExactMultiple_DoesNotAddANode()
    {
        using var dir = new TempDir();

        // 0.6953125 = 89/128 is exact in binary: 22.25 / (0.6953125 x 4) = 8 exactly -> 8 nodes, not 9.
        // 32 GPUs less 0 fixed: a = 32 x 151,200 / 160,200 = 30.20, b = 1.80 -> 30 + 1, the one left to b.
        var s = Read(dir, Scenario("0.6953125", "0"));

        Assert.Equal(8, s.NodeGroups[0].Count);
        Assert.Equal([30_000L, 2_000L, 0L], s.Queues.Queues.Select(q => q.Flavors[0].Gpu!.Nominal));
    }

    [Fact]
    public void Read_FixedQuotasAboveCapacity_AreRejectedAtTheAutoQuota()
    {
        using var dir = new TempDir();

        var e = Assert.Throws<Input.InputException>(() => Read(dir, Scenario("0.8", "40")));

        Assert.Equal((dir.File("auto.yaml"), 10, "nominal"), (e.File, e.Line, e.Field));
        Assert.Contains("flavor f has 28 GPUs but the fixed GPU quotas of other queues in it add up to 40 GPU", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new long[] { 1, 1, 1 }, 10, new long[] { 4, 3, 3 })]
    [InlineData(new long[] { 0, 0 }, 5, new long[] { 3, 2 })]
    [InlineData(new long[] { 151_200, 9_000 }, 27, new long[] { 25, 2 })]
    [InlineData(new long[] { 5, 0, 5 }, 3, new long[] { 2, 0, 1 })]
    public void LargestRemainder_SplitsInWholeUnitsSummingToTheTotal(long[] weights, long total, long[] expected)
    {
        var shares = AutoSizing.LargestRemainder(total, weights.Select(w => (Int128)w).ToArray());

        Assert.Equal(expected, shares);
        Assert.Equal(total, shares.Sum());
    }
}
