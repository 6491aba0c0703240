using Berth.Runtime.Yield;

namespace Berth.Runtime.Tests.Yield;

/// <summary>Right-sizing advice from busy-GPU samples: p95 by nearest rank, whole GPUs or a MIG slice.</summary>
public class RightSizingTests
{
    public sealed record Case(string Name, int Asked, double[] Busy, string? Model, int Recommended, string? Mig, string Text)
    {
        public override string ToString() => Name;
    }

    private static double[] Steady(double value, int count = 100) => Enumerable.Repeat(value, count).ToArray();

    public static TheoryData<Case> Cases => new()
    {
        new Case("eight GPUs used as two: two would do", 8, [.. Steady(1.8, 95), .. Steady(7.5, 5)], "A100", 2, null, "asked 8 GPUs, used at most 1.8 at p95 (peak 7.5, 100 samples): 2 GPUs would do"),
        new Case("one GPU used at a third: a 3g slice of an A100 would do", 1, Steady(0.3), "A100", 1, "3g.40gb", "asked 1 GPU, used at most 0.3 at p95 (peak 0.3, 100 samples): a 3g.40gb MIG slice would do"),
        new Case("four GPUs barely used on an H100: one GPU or a 1g slice", 4, Steady(0.1), "H100", 1, "1g.10gb", "asked 4 GPUs, used at most 0.1 at p95 (peak 0.1, 100 samples): 1 GPU or a 1g.10gb MIG slice would do"),
        new Case("a model without MIG gets whole GPUs only", 1, Steady(0.3), "L4", 1, null, "asked 1 GPU, used at most 0.3 at p95 (peak 0.3, 100 samples): right-sized"),
        new Case("a busy job is right-sized", 8, Steady(7.6), "A100", 8, null, "asked 8 GPUs, used at most 7.6 at p95 (peak 7.6, 100 samples): right-sized"),
        new Case("a fully idle GPU on an A100 still gets the smallest slice", 1, Steady(0), "A100", 1, "1g.10gb", "asked 1 GPU, used at most 0 at p95 (peak 0, 100 samples): a 1g.10gb MIG slice would do"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Recommend_Samples_GiveTheAdvice(Case c)
    {
        var advice = RightSizing.Recommend(c.Asked, c.Busy, c.Model)!;
        Assert.Equal((c.Recommended, c.Mig, c.Text), (advice.RecommendedGpus, advice.MigProfile, advice.Text));
        Assert.Equal(c.Recommended < c.Asked || c.Mig is not null, advice.Oversized);
    }

    [Theory]
    [InlineData(0, new[] { 0.5 })]
    [InlineData(2, new double[0])]
    [InlineData(2, new[] { 0.5, 3.0 })]
    [InlineData(2, new[] { double.NaN })]
    [InlineData(2, new[] { -0.1 })]
    public void Recommend_NothingToJudge_GivesNoAdvice(int asked, double[] busy) => Assert.Null(RightSizing.Recommend(asked, busy, "A100"));

    [Fact]
    public void ForQueue_AddsItsJobsUp()
    {
        var jobs = new[] { RightSizing.Recommend(8, Steady(2), "A100")!, RightSizing.Recommend(4, Steady(3.9), "A100")! };
        var queue = RightSizing.ForQueue("team-a", jobs)!;
        Assert.Equal((12, 6), (queue.AskedGpus, queue.RecommendedGpus));
        Assert.Equal("queue team-a: 2 jobs asked 12 GPUs, used at most 5.9 at p95; 6 GPUs would do (1 jobs could ask for less)", queue.Text);
        Assert.Null(RightSizing.ForQueue("empty", []));
    }
}
