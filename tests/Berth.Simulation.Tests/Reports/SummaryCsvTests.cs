using Berth.Simulation.Reports;

namespace Berth.Simulation.Tests.Reports;

public sealed class SummaryCsvTests
{
    [Fact]
    public void Write_TwoRuns_HasTheExactHeaderAndOneRowPerRun()
    {
        using var writer = new StringWriter();

        SummaryCsv.Write(writer, [ReportRuns.Run("default", "fgd", 42, 95.234), ReportRuns.Run("default", "bestfit", 42, 92.5)]);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("trace,policy,seed,alloc_at_100,alloc_at_130,frag_amount_at_100,failed_pods,wall_seconds,mig_repartitions,mig_frag_percent", lines[0]);
        Assert.Equal("default,fgd,42,95.23,95.23,5.00,3,1.250,0,0.00", lines[1]);
        Assert.Equal("default,bestfit,42,92.50,92.50,5.00,3,1.250,0,0.00", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void Write_CurveShorterThan130_LeavesAllocAt130Empty()
    {
        using var writer = new StringWriter();

        SummaryCsv.Write(writer, [ReportRuns.Run("t", "fgd", 1, 90, bins: 111)]);

        Assert.Equal("t,fgd,1,90.00,,5.00,3,1.250,0,0.00", writer.ToString().Split('\n')[1]);
    }

    [Fact]
    public void Write_TraceNameWithComma_IsQuoted()
    {
        using var writer = new StringWriter();

        SummaryCsv.Write(writer, [ReportRuns.Run("a,b", "fgd", 1, 90)]);

        Assert.StartsWith("\"a,b\",fgd,1,", writer.ToString().Split('\n')[1], StringComparison.Ordinal);
    }

    [Fact]
    public void CurvesCsv_Write_OneRowPerBinWithTheExactHeader()
    {
        using var writer = new StringWriter();

        CurvesCsv.Write(writer, [ReportRuns.Run("t", "fgd", 7, 90)]);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("trace,policy,seed,arrived_percent,alloc_percent,frag_percent,frag_ratio_percent,failed_pods", lines[0]);
        Assert.Equal(132, lines.Length);
        Assert.Equal("t,fgd,7,100,90.00,5.00,12.00,3", lines[101]);
    }
}
