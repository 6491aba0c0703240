using Berth.Simulation.Reports;

namespace Berth.Cli.Tests;

public class ScenarioCommandTests
{
    private const string Scenario = """
        kind: Scenario
        name: tiny
        settings: {placementPolicy: bestfit}
        cluster:
          nodeGroups:
            - {name: n, count: 2, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: default}
        cohorts:
          - {name: org}
        queues:
          - {name: a, cohort: org, flavors: [{flavor: default, gpu: {nominal: 8}}]}
          - {name: b, cohort: org, flavors: [{flavor: default, gpu: {nominal: 8}}]}
        workloads:
          - {name: a1, queue: a, submit: 0s, duration: 1h, gpus: 16}
          - {name: b1, queue: b, submit: 10s, duration: 30m, gpus: 4}
          - {name: b2, queue: b, submit: 20s, duration: 30m, gpus: 8}
        """;

    [Fact]
    public void Simulate_Scenario_WritesSummaryWithTheExactColumnsAndOneRowPerProfileAndQueue()
    {
        using var dir = new TempDir();
        var file = dir.File("tiny.yaml", Scenario);
        var run = CliRun.Of("simulate", "--scenario", file, "--profiles", "strict-fifo,fair-share+backfill", "-j", "1", "--out", dir.Combine("out"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = File.ReadAllLines(Path.Combine(dir.Combine("out"), ScenarioSummaryCsv.FileName));
        Assert.Equal("scenario,profile,queue,jobs,mean_jct_s,mean_wait_s,p99_wait_s,alone_mean_wait_s,gpu_alloc,gpu_yield,used_gpu_hours,idle_alloc_gpu_hours,idle_gang_gpu_hours,preemptions,lost_gpu_hours,p50_jct_s,p99_jct_s,data_moved_gb,wall_seconds", lines[0]);
        Assert.Equal(1 + (2 * 3), lines.Length);
        var whole = lines.Where(l => l.Split(',')[2] == "*").ToArray();
        Assert.Equal(2, whole.Length);
        Assert.All(whole, l => Assert.Equal("3", l.Split(',')[3]));

        // a1 takes both nodes for an hour (borrowing b's idle quota); b1 and b2 wait for it: 3590 s and 3580 s.
        var strict = whole.Single(l => l.Split(',')[1] == "strict-fifo").Split(',');
        Assert.Equal(((3590.0 + 3580.0) / 3).ToString("F1", System.Globalization.CultureInfo.InvariantCulture), strict[5]);
        Assert.Contains("<canvas", File.ReadAllText(Path.Combine(dir.Combine("out"), ScenarioHtmlReport.FileName)), StringComparison.Ordinal);
        Assert.Contains("fair-share+backfill", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_ScenarioWithGpuActivity_WritesRightSizingPerQueue_AndTheReportShowsIt()
    {
        using var dir = new TempDir();
        var file = dir.File("tiny.yaml", Scenario
            .Replace("duration: 1h, gpus: 16}", "duration: 1h, gpus: 16, gpuActivity: 0.1}", StringComparison.Ordinal)
            .Replace("duration: 30m, gpus: 4}", "duration: 30m, gpus: 4, gpuActivity: 0.9}", StringComparison.Ordinal)
            + "\nprices: {currency: EUR, gpuHour: [{model: A100, price: 2.5}]}\n");
        var run = CliRun.Of("simulate", "--scenario", file, "--profiles", "strict-fifo", "-j", "1", "--out", dir.Combine("out"));
        Assert.True(run.ExitCode == 0, run.ToString());

        // a1: 16 GPUs at 10 % = 1.6 busy, 2 would do; b1: 4 at 90 % = 3.6, right-sized; b2 states no activity, so the
        // scenario's default utilization model gives it one (seeded): 8 GPUs, 3.19 busy, 4 would do.
        Assert.Equal(
            [
                "scenario,profile,queue,jobs,asked_gpus,p95_busy_gpus,recommended_gpus,oversized_jobs",
                "tiny,strict-fifo,a,1,16,1.60,2,1",
                "tiny,strict-fifo,b,2,12,6.79,8,1",
                "tiny,strict-fifo,*,3,28,8.39,10,2",
            ],
            File.ReadAllLines(Path.Combine(dir.Combine("out"), RightSizingCsv.FileName)));
        // Showback at the scenario's prices: allocated GPU-hours times 2.5 EUR.
        var usage = File.ReadAllLines(Path.Combine(dir.Combine("out"), ShowbackCsv.FileName));
        Assert.Equal("scenario,profile,queue,gpu_model,allocated_gpu_hours,used_gpu_hours,cost,currency", usage[0]);
        var a = usage.Single(l => l.StartsWith("tiny,strict-fifo,a,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(("A100", "16.00", "1.60", "40.00", "EUR"), (a[3], a[4], a[5], a[6], a[7]));

        var html = File.ReadAllText(Path.Combine(dir.Combine("out"), ScenarioHtmlReport.FileName));
        Assert.Contains("<section id=\"rightsizing\"><h2>Right-sizing (strict-fifo)</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>a</td><td class=\"num\">1</td><td class=\"num\">16</td><td class=\"num\">1.6</td><td class=\"num\">2</td><td class=\"num\">1</td></tr>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--profiles", "fair-sharing", "unknown profile 'fair-sharing'")]
    [InlineData("--profiles", "kube-default+preemption", "unknown profile 'kube-default+preemption'")]
    [InlineData("--policies", "fgd", "leave out")]
    public void Simulate_ScenarioBadOption_ExitsTwoAndWritesNothing(string option, string value, string message)
    {
        using var dir = new TempDir();
        var file = dir.File("tiny.yaml", Scenario);
        var run = CliRun.Of("simulate", "--scenario", file, option, value, "--out", dir.Combine("out"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("out")));
    }

    [Fact]
    public void Simulate_ScenarioWithUnknownQueue_NamesFileLineAndField()
    {
        using var dir = new TempDir();
        var file = dir.File("bad.yaml", Scenario.Replace("queue: b, submit: 20s", "queue: c, submit: 20s", StringComparison.Ordinal));
        var run = CliRun.Of("simulate", "--scenario", file, "--out", dir.Combine("out"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("bad.yaml:", run.Error, StringComparison.Ordinal);
        Assert.Contains("queue", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("out")));
    }
}
