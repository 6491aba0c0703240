using Berth.Engine.Policies;

namespace Berth.Cli.Tests;

public sealed class CommandTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("simulate", "--help")]
    [InlineData("generate", "--help")]
    [InlineData("policies", "-h")]
    [InlineData("data", "fetch", "--help")]
    [InlineData("import", "kueue", "--help")]
    [InlineData("explain", "--help")]
    public void Help_AnyCommand_ExitsZeroWithUsageAndExamples(params string[] args)
    {
        var run = CliRun.Of(args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
        Assert.Contains("Examples:", run.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public void Root_NoArguments_PrintsHelp()
    {
        var run = CliRun.Of();

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("simulate", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_UnknownOption_ExitsTwoAndPointsToHelp()
    {
        var run = CliRun.Of("simulate", "--frobnicate");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("berth simulate --help", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Policies_ListsEveryPolicyWithItsDescription()
    {
        var run = CliRun.Of("policies");

        Assert.Equal(0, run.ExitCode);
        foreach (var profile in PlacementPolicies.Profiles)
        {
            Assert.Contains(profile.Name, run.Out, StringComparison.Ordinal);
            Assert.Contains(profile.Description, run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Version_PrintsTheVersion()
    {
        var run = CliRun.Of("version");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"berth {BerthCli.Version}", run.Out.Trim());
    }

    [Fact]
    public void Generate_SmallCluster_WritesClusterAndWorkloadThatSimulateReads()
    {
        using var dir = new TempDir();
        var scenario = dir.Combine("scenario");

        var generate = CliRun.Of("generate", "--out", scenario, "--nodes", "12", "--seed", "3", "--target", "60");

        Assert.True(generate.ExitCode == 0, generate.ToString());
        Assert.Equal(["cluster.yaml", "workload.yaml"], Directory.GetFiles(scenario).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var simulate = CliRun.Of("simulate", "--nodes", Path.Combine(scenario, "cluster.yaml"), "--pods", Path.Combine(scenario, "workload.yaml"),
            "--policies", "fgd", "--seeds", "1", "--out", dir.Combine("out"));
        Assert.True(simulate.ExitCode == 0, simulate.ToString());
        Assert.Contains("workload,fgd,1,", File.ReadAllText(Path.Combine(dir.Combine("out"), "summary.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_JsonFormat_WritesJsonFiles()
    {
        using var dir = new TempDir();

        var run = CliRun.Of("generate", "--out", dir.Combine("g"), "--nodes", "4", "--format", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(Path.Combine(dir.Combine("g"), "cluster.json")));
        Assert.True(File.Exists(Path.Combine(dir.Combine("g"), "workload.json")));
    }

    [Fact]
    public void Generate_ZeroNodes_ExitsTwoAndWritesNothing()
    {
        using var dir = new TempDir();

        var run = CliRun.Of("generate", "--out", dir.Combine("g"), "--nodes", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--nodes 0", run.Error, StringComparison.Ordinal);
        Assert.Empty(dir.Entries());
    }
}
