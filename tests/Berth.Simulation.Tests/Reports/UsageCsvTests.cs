using Berth.Runtime.Yield;
using Berth.Simulation.Reports;

namespace Berth.Simulation.Tests.Reports;

/// <summary>The usage CSV: the server's columns unchanged, and a last column <c>namespace</c> only for the operator's rows, which name one.</summary>
public sealed class UsageCsvTests
{
    private static UsageSummary Usage(string? ns) => new()
    {
        From = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
        To = new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero),
        Currency = "USD",
        Rows = [new UsageRow { Queue = "team-a", Namespace = ns, User = "alice", GpuModel = "A100", Jobs = 1, AllocatedGpuHours = 2, UsedGpuHours = 1, Cost = 4 }],
    };

    [Fact]
    public void Write_ServerRows_KeepTheDocumentedColumns()
    {
        using var text = new StringWriter();
        UsageCsv.Write(text, Usage(null));
        Assert.Equal("from,to,queue,user,gpu_model,jobs,allocated_gpu_hours,used_gpu_hours,cost,currency\n2026-12-01T00:00:00Z,2026-12-08T00:00:00Z,team-a,alice,A100,1,2.0000,1.0000,4.00,USD\n", text.ToString());
    }

    [Fact]
    public void Write_OperatorRows_AddTheNamespaceLast()
    {
        using var text = new StringWriter();
        UsageCsv.Write(text, Usage("ns-a"));
        Assert.Equal("from,to,queue,user,gpu_model,jobs,allocated_gpu_hours,used_gpu_hours,cost,currency,namespace\n2026-12-01T00:00:00Z,2026-12-08T00:00:00Z,team-a,alice,A100,1,2.0000,1.0000,4.00,USD,ns-a\n", text.ToString());
    }
}
