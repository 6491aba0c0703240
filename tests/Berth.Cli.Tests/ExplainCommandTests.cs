namespace Berth.Cli.Tests;

public class ExplainCommandTests
{
    internal const string Scenario = """
        kind: Scenario
        name: line
        profiles: [strict-fifo]
        settings: {placementPolicy: bestfit}
        cluster:
          nodeGroups:
            - {name: n, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: default}
        queues:
          - {name: q, strategy: StrictFIFO, flavors: [{flavor: default, gpu: {nominal: 8}}]}
        workloads:
          - {name: running, queue: q, submit: 0s, duration: 2h, gpus: 8}
          - {name: next, queue: q, submit: 10m, duration: 1h, gpus: 8}
          - {name: later, queue: q, submit: 20m, duration: 1h, gpus: 2}
        """;

    [Fact]
    public void Explain_StrictQueue_ShowsReasonPositionAndExpectedStart()
    {
        using var dir = new TempDir();
        var run = CliRun.Of("explain", "--scenario", dir.File("line.yaml", Scenario), "--at", "1h");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Out.Split('\n');
        var rows = lines.Where(l => l.Contains("│ q ", StringComparison.Ordinal)).ToArray(); // first line of each row
        var next = rows.Single(l => l.Contains("│ next ", StringComparison.Ordinal));
        var later = rows.Single(l => l.Contains("│ later ", StringComparison.Ordinal));

        // At 1h: "running" ends at 2h, so "next" (quota full) starts in 1h and "later" behind it when "next" ends, in 2h.
        Assert.Contains("QuotaExceeded", next, StringComparison.Ordinal);
        Assert.Contains("in 1h", next, StringComparison.Ordinal);
        Assert.Contains("BehindHead", later, StringComparison.Ordinal);
        Assert.Contains("in 2h", later, StringComparison.Ordinal);
        Assert.Contains("1 running, 2 waiting", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--at", "soon", "--at 'soon'")]
    [InlineData("--queue", "nope", "--queue 'nope' is not a queue")]
    [InlineData("--profile", "fastest", "unknown profile 'fastest'")]
    public void Explain_BadOption_ExitsTwoAndNamesIt(string option, string value, string message)
    {
        using var dir = new TempDir();
        var args = new List<string> { "explain", "--scenario", dir.File("line.yaml", Scenario) };
        if (option != "--at")
        {
            args.AddRange(["--at", "1h"]);
        }

        args.AddRange([option, value]);
        var run = CliRun.Of([.. args]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }
}
