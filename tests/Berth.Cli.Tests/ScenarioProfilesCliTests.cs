namespace Berth.Cli.Tests;

/// <summary>
/// Profiles a scenario file defines (<c>admissionProfiles</c>) are names like the built-in ones for
/// <c>berth simulate --profiles</c> and <c>berth explain --profile</c>, and an unknown name lists them too.
/// </summary>
public class ScenarioProfilesCliTests
{
    // The queue of ExplainCommandTests, with two profiles of its own instead of its list.
    private static readonly string Scenario = ExplainCommandTests.Scenario.Replace("profiles: [strict-fifo]\n", """
        admissionProfiles:
          - name: kai-order
            actions: [allocate, backfill, reclaim, consolidate, preempt]
          - name: no-line
            actions: [allocate]
            order: fifo
            queueing: besteffort-fifo

        """, StringComparison.Ordinal);

    [Fact]
    public void Simulate_OwnProfile_RunsAndShowsItInTheTable()
    {
        using var dir = new TempDir();
        var run = CliRun.Of("simulate", "--scenario", dir.File("line.yaml", Scenario), "--profiles", "kai-order,strict-fifo", "--no-alone", "-j", "1", "--out", dir.Combine("out"));

        Assert.True(run.ExitCode == 0, run.ToString());
        var summary = File.ReadAllLines(Path.Combine(dir.Combine("out"), Simulation.Reports.ScenarioSummaryCsv.FileName));
        Assert.Contains(summary, l => l.StartsWith("line,kai-order,*,3,", StringComparison.Ordinal));
        Assert.Contains("│ kai-order ", run.Out, StringComparison.Ordinal);
        Assert.Contains("│ strict-fifo ", run.Out, StringComparison.Ordinal);
        Assert.Contains("2 runs in", run.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simulate", "--profiles", "--out", "out")]
    [InlineData("explain", "--profile", "--at", "1h")]
    public void UnknownProfile_ExitsTwoAndListsTheScenariosOwnProfiles(string command, string option, string other, string value)
    {
        using var dir = new TempDir();
        var run = CliRun.Of(command, "--scenario", dir.File("line.yaml", Scenario), other, other == "--out" ? dir.Combine(value) : value, option, "kai");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{option}: unknown profile 'kai'; choose among kube-default,", run.Error, StringComparison.Ordinal);
        Assert.Contains("defined by the scenario (admissionProfiles): kai-order, no-line", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("out")));
    }

    [Fact]
    public void Explain_OwnProfileWithQueueingOverride_LetsTheSmallWorkloadPassTheHead()
    {
        using var dir = new TempDir();
        var file = dir.File("line.yaml", Scenario);

        var strict = CliRun.Of("explain", "--scenario", file, "--at", "1h", "--profile", "strict-fifo");
        var own = CliRun.Of("explain", "--scenario", file, "--at", "1h", "--profile", "no-line");

        // The queue is StrictFIFO: under strict-fifo "later" waits behind "next"; the file's no-line profile overrides the
        // queue to BestEffortFIFO, so "later" is held by the full quota instead.
        Assert.True(strict.ExitCode == 0 && own.ExitCode == 0, strict + "\n" + own);
        Assert.Contains("BehindHead", Later(strict.Out), StringComparison.Ordinal);
        Assert.Contains("QuotaExceeded", Later(own.Out), StringComparison.Ordinal);
    }

    [Fact]
    public void ParseProfiles_All_RunsTheBuiltInOnesThenTheScenariosOwn()
    {
        using var dir = new TempDir();
        var scenario = Simulation.Scenarios.ScenarioReader.Read(dir.File("line.yaml", Scenario));

        var all = Running.ScenarioRun.ParseProfiles("all", scenario);

        Assert.Equal([.. Engine.Admission.AdmissionProfiles.Names, "kai-order", "no-line"], all);
        Assert.Equal(["no-line"], Running.ScenarioRun.ParseProfiles(" no-line ", scenario));
    }

    private static string Later(string output) => output.Split('\n').Single(l => l.Contains("│ later ", StringComparison.Ordinal));
}
