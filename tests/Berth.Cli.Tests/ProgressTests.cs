using Berth.Cli.Running;

namespace Berth.Cli.Tests;

/// <summary>Progress with time left, and the per-queue alone runs on or off.</summary>
public sealed class ProgressTests
{
    private const string Scenario = """
        kind: Scenario
        name: tiny
        cluster:
          nodeGroups:
            - {name: n, count: 2, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: default}
        cohorts:
          - {name: org}
        queues:
          - {name: a, cohort: org, flavors: [{flavor: default, gpu: 8}]}
          - {name: b, cohort: org, flavors: [{flavor: default, gpu: 8}]}
        workloads:
          - {name: a1, queue: a, submit: 0s, duration: 1h, gpus: 16}
          - {name: b1, queue: b, submit: 10s, duration: 30m, gpus: 4}
        """;

    [Theory]
    [InlineData(10, 0.25, "25% done, 10 s elapsed, about 30 s left")]
    [InlineData(600, 0.5, "50% done, 600 s elapsed, about 10 min left")]
    [InlineData(10, 0.01, "1% done, 10 s elapsed")]
    public void Describe_GivesTimeLeftFromTheRateSoFar(int seconds, double fraction, string expected) =>
        Assert.Equal(expected, LongRunView.Describe(TimeSpan.FromSeconds(seconds), fraction));

    [Fact]
    public void Scenario_PlainOutput_CountsEveryRun_AloneRunsIncluded()
    {
        using var dir = new TempDir();
        var file = dir.File("s.yaml", Scenario);

        var run = CliRun.Of("simulate", "--scenario", file, "--profiles", "strict-fifo,fair-share", "-j", "1", "--out", dir.Combine("out"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("running 6 runs (2 profiles, each shared and per queue alone), 1 at a time", run.Out, StringComparison.Ordinal);
        Assert.Contains("[6/6] ", run.Out, StringComparison.Ordinal);
        Assert.Contains("(a alone) done", run.Out, StringComparison.Ordinal);
        Assert.Matches(@"│\s+[0-2]/2 │", run.Out); // safe queues, counted over the alone runs
    }

    [Fact]
    public void Scenario_NoAlone_SkipsTheAloneRuns()
    {
        using var dir = new TempDir();
        var file = dir.File("s.yaml", Scenario);

        var run = CliRun.Of("simulate", "--scenario", file, "--profiles", "strict-fifo,fair-share", "--no-alone", "-j", "1", "--out", dir.Combine("out"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("running 2 runs (2 profiles; --no-alone)", run.Out, StringComparison.Ordinal);
        Assert.Contains("[2/2] ", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(" alone) done", run.Out, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"│\s+[0-2]/2 │", run.Out);
        var csv = File.ReadAllLines(Path.Combine(dir.Combine("out"), "summary.csv"));
        Assert.All(csv.Skip(1), line => Assert.Equal(string.Empty, line.Split(',')[7])); // alone_mean_wait_s
    }

    [Theory]
    [InlineData("--no-alone")]
    [InlineData("--alone")]
    public void AloneOptions_WithoutScenario_AreBadInput(string option)
    {
        var run = CliRun.Of("simulate", "--demo", option);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{option} goes with --scenario or --snapshot", run.Error, StringComparison.Ordinal);
    }
}
