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
    public void Render_TwoPolicies_HasChartsWithDataAndTheMeansTable()
    {
        var html = HtmlReport.Render(Info(), [ReportRuns.Run("default", "fgd", 42, 95), ReportRuns.Run("default", "fgd", 43, 95.5), ReportRuns.Run("default", "bestfit", 42, 92)]);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(4, CountOf(html, "<canvas"));
        Assert.Equal(4, CountOf(html, "<p class=\"how\">"));
        Assert.Contains("\"name\":\"fgd\"", html, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"bestfit\"", html, StringComparison.Ordinal);
        Assert.Contains("95.25%", html, StringComparison.Ordinal);
        Assert.Contains("zoom on 80–130% arrived", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_IsSelfContained_ChartJsInlinedAndNothingFetched()
    {
        var html = HtmlReport.Render(Info(), [ReportRuns.Run("default", "fgd", 42, 95)]);

        Assert.Contains("Chart.js v" + ChartJs.Version, html, StringComparison.Ordinal);
        Assert.Matches(@"^4\.\d+\.\d+$", ChartJs.Version);
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("sourceMappingURL", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("MIT", ChartJs.License, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FailedPods_NeverBold()
    {
        // random fails fewer pods than fgd here while allocating less: fewer failures is not "best".
        var html = HtmlReport.Render(Info(), [ReportRuns.Run("default", "fgd", 42, 95, failed: 30), ReportRuns.Run("default", "bestfit", 42, 92, failed: 10)]);

        Assert.Contains("<td class=\"num best\">95.00%", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">10</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<td class=\"num best\">10", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ReplayMode_NamesColumnsForReplay()
    {
        var html = HtmlReport.Render(Info() with { Mode = "replay", TargetPercent = null }, [ReportRuns.Run("default", "fgd", 42, 95)]);

        Assert.Contains("pods never placed", html, StringComparison.Ordinal);
        Assert.Contains("when 100% of capacity has arrived", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">failed pods<", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NamesInChartData_CannotCloseTheScriptElement()
    {
        const string evil = "</script><script>alert(1)</script>";

        var html = HtmlReport.Render(Info(), [ReportRuns.Run("default", evil, 42, 95)]);

        Assert.DoesNotContain(evil, html, StringComparison.Ordinal);
        Assert.Equal(3, CountOf(html, "</script>"));
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

    [Fact]
    public void Downsample_LongLine_KeepsAtMostMaxPointsAndTheMean()
    {
        var points = Enumerable.Range(0, 10_000).Select(i => ((double)i, (double)(i % 2 == 0 ? 0 : 10))).ToArray();

        var small = LineChart.Downsample(points, 100);

        Assert.InRange(small.Count, 90, 100);
        Assert.All(small, p => Assert.Equal(5, p.Y, 3));
        Assert.Same(points, LineChart.Downsample(points, 20_000));
    }

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
