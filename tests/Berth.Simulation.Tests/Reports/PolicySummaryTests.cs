using Berth.Simulation.Reports;

namespace Berth.Simulation.Tests.Reports;

public sealed class PolicySummaryTests
{
    [Fact]
    public void Summarize_TwoSeeds_MeanAndSampleStdDevPerTraceAndPolicy_InFirstAppearanceOrder()
    {
        var summaries = PolicySummary.Summarize(
        [
            ReportRuns.Run("b", "random", 1, 90), ReportRuns.Run("b", "random", 2, 92),
            ReportRuns.Run("b", "fgd", 1, 95), ReportRuns.Run("a", "fgd", 1, 94),
        ]);

        Assert.Equal([("b", "random"), ("b", "fgd"), ("a", "fgd")], summaries.Select(s => (s.Trace, s.Policy)));
        Assert.Equal(91, summaries[0].AllocAt100.Mean, 9);
        Assert.Equal(Math.Sqrt(2), summaries[0].AllocAt100.StdDev, 9);
        Assert.Equal([1, 2], summaries[0].Seeds);
        Assert.Equal(0, summaries[1].AllocAt100.StdDev);
    }

    [Fact]
    public void Stat_NaNValues_AreSkipped_AndAllNaNHasNoValue()
    {
        Assert.Equal(2, Stat.Of([1, double.NaN, 3]).Mean);
        Assert.False(Stat.Of([double.NaN]).HasValue);
    }

    [Fact]
    public void MeanCurve_AveragesSeedsBinByBin()
    {
        var curves = MeanCurve.Compute([ReportRuns.Run("t", "fgd", 1, 90), ReportRuns.Run("t", "fgd", 2, 94)]);

        var curve = Assert.Single(curves);
        Assert.Equal(92, curve.Points[120].AllocationPercent, 9);
        Assert.Equal(50, curve.Points[50].AllocationPercent, 9);
    }
}
