using Berth.Simulation.Reports;

namespace Berth.Simulation.Tests.Reports;

public sealed class HtmlReportTests
{
    private static ReportInfo Info(string trace = "default") => new()
    {
        Mode = "inflation",
        TargetPercent = 130,
        Policies = ["fgd", "bestfit"],
        Seeds = [42, 43],
        Inputs = [new ReportInput(trace, "nodes.csv", "pods.csv", 10, 40, 100)],
        CommandLine = "berth simulate --out x",
    };

    [Fact]
    public void Render_TwoPolicies_HasChartsLegendsAndTheMeansTable()
    {
        var html = HtmlReport.Render(Info(), [ReportRuns.Run("default", "fgd", 42, 95), ReportRuns.Run("default", "fgd", 43, 95.5), ReportRuns.Run("default", "bestfit", 42, 92)]);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(4, CountOf(html, "<svg"));
        Assert.Contains(">fgd</text>", html, StringComparison.Ordinal);
        Assert.Contains(">bestfit</text>", html, StringComparison.Ordinal);
        Assert.Contains("95.25%", html, StringComparison.Ordinal);
        Assert.Contains("zoom on 80–130% arrived", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_IsSelfContained_NoScriptsStylesheetsOrRemoteResources()
    {
        var html = HtmlReport.Render(Info(), [ReportRuns.Run("default", "fgd", 42, 95)]);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Render_MarkupInNames_IsEscaped()
    {
        const string evil = "<script>alert(1)</script>";

        var html = HtmlReport.Render(Info(evil), [ReportRuns.Run(evil, "fgd", 42, 95)]);

        Assert.DoesNotContain(evil, html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SameRuns_SameBytes()
    {
        IReadOnlyList<Berth.Simulation.Metrics.RunResult> runs = [ReportRuns.Run("default", "fgd", 42, 95), ReportRuns.Run("default", "random", 42, 88)];

        Assert.Equal(HtmlReport.Render(Info(), runs), HtmlReport.Render(Info(), runs));
    }

    [Theory]
    [InlineData(0, 130, new double[] { 0, 20, 40, 60, 80, 100, 120, 140 })]
    [InlineData(80, 130, new double[] { 80, 90, 100, 110, 120, 130 })]
    [InlineData(91.2, 95.7, new double[] { 91, 92, 93, 94, 95, 96 })]
    public void NiceTicks_CoverTheRangeWithRoundSteps(double min, double max, double[] expected) =>
        Assert.Equal(expected, SvgLineChart.NiceTicks(min, max, 8));

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
