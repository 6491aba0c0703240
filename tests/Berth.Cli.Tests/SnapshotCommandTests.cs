using Berth.Kubernetes.Snapshots;
using Berth.TestKit.Kubernetes.Fake;
using Berth.TestKit.Kubernetes.Snapshots;

namespace Berth.Cli.Tests;

public class SnapshotCommandTests
{
    [Fact]
    public async Task Snapshot_FakeClusterThroughKubeconfig_WritesTheFileAndPrintsWhatItHolds()
    {
        using var dir = new TempDir();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        WhatIfCluster.Seed(server);
        var kubeconfig = Kubeconfig.Write(dir.Path, server.BaseAddress);
        var file = dir.Combine("prod.json");

        var run = await Task.Run(() => CliRun.Of("snapshot", "--kubeconfig", kubeconfig, "-o", file));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Snapshot of fake (http://127.0.0.1:", run.Out, StringComparison.Ordinal);
        Assert.Contains("4 nodes, 32 GPUs, 2 queues; workloads: 1 running, 1 pending.", run.Out, StringComparison.Ordinal);
        var (snapshot, source) = SnapshotFile.Read(file);
        Assert.Equal((4, 3, 2, 2), (snapshot.Nodes.Count, snapshot.Pods.Count + snapshot.PriorityClasses.Count, snapshot.Jobs.Count, snapshot.Queues.Count));
        Assert.Equal((server.BaseAddress.ToString().TrimEnd('/'), "fake"), (source.Server!.TrimEnd('/'), source.Context));
        Assert.Equal(["kubeconfig.yaml", "prod.json"], dir.Entries()); // no staging file left behind
    }

    [Fact]
    public void Snapshot_ApiServerUnreachable_ExitsThreeAndWritesNothing()
    {
        using var dir = new TempDir();
        var kubeconfig = Kubeconfig.Write(dir.Path, new Uri("http://127.0.0.1:1"));

        var run = CliRun.Of("snapshot", "--kubeconfig", kubeconfig, "-o", dir.Combine("s.json"));

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("could not read the cluster at http://127.0.0.1:1/", run.Error, StringComparison.Ordinal);
        Assert.Equal(["kubeconfig.yaml"], dir.Entries());
    }

    [Fact]
    public async Task Snapshot_ApiServerRefusesTheList_ExitsThreeNamingTheStatus()
    {
        using var dir = new TempDir();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { CustomResources = FakeApiServerOptions.BerthResources });
        WhatIfCluster.Seed(server);
        server.FailNext("list", "pods", 403);
        var kubeconfig = Kubeconfig.Write(dir.Path, server.BaseAddress);

        var run = await Task.Run(() => CliRun.Of("snapshot", "--kubeconfig", kubeconfig, "-o", dir.Combine("s.json")));

        Assert.True(run.ExitCode == ExitCodes.Unreachable, run.ToString());
        Assert.Contains("the API server answered 403 Forbidden", run.Error, StringComparison.Ordinal);
        Assert.Equal(["kubeconfig.yaml"], dir.Entries());
    }

    [Theory]
    [InlineData("--kubeconfig", "missing.yaml", "--kubeconfig missing.yaml: file not found")]
    [InlineData("--context", "elsewhere", "elsewhere not found")]
    [InlineData("-o", "no-such-folder/s.json", "does not exist; create it first")]
    public void Snapshot_BadOption_ExitsTwo(string option, string value, string message)
    {
        using var dir = new TempDir();
        var kubeconfig = Kubeconfig.Write(dir.Path, new Uri("http://127.0.0.1:1"));
        var args = option == "--kubeconfig"
            ? new[] { "snapshot", option, value, "-o", dir.Combine("s.json") }
            : option == "-o"
                ? new[] { "snapshot", "--kubeconfig", kubeconfig, option, dir.Combine(value) }
                : new[] { "snapshot", "--kubeconfig", kubeconfig, option, value, "-o", dir.Combine("s.json") };

        var run = CliRun.Of(args);

        Assert.True(run.ExitCode == ExitCodes.BadInput, run.ToString());
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void SimulateSnapshot_PendingGangWaitsForTheRunningJob_ButStartsAtOnceWithMoreQuota()
    {
        using var dir = new TempDir();
        var file = dir.Combine("s.json");
        SnapshotFile.Write(file, WhatIfCluster.Snapshot(), new SnapshotSource { Context = "prod" });

        var now = CliRun.Of("simulate", "--snapshot", file, "--profiles", "strict-fifo,fair-share+backfill", "-j", "1");
        var whatIf = CliRun.Of("simulate", "--snapshot", file, "--profiles", "strict-fifo,fair-share+backfill", "-j", "1", "--set-quota", "team-b/a100/gpu=16");

        Assert.True(now.ExitCode == 0, now.ToString());
        Assert.True(whatIf.ExitCode == 0, whatIf.ToString());
        Assert.Contains("Snapshot of prod taken 2026-01-01 12:00:00Z: 4 nodes, 32 GPUs, 2 queues, 1 running, 1 pending.", now.Out, StringComparison.Ordinal);
        Assert.Equal(["2h", "2h"], StartCells(now.Out, "job/default/gang"));
        Assert.Equal(["0s", "0s"], StartCells(whatIf.Out, "job/default/gang"));
        Assert.Contains("what-if: nominal quota team-b/a100/gpu=16", whatIf.Out, StringComparison.Ordinal);
        Assert.Equal(["s.json"], dir.Entries()); // no --out: nothing written
    }

    [Fact]
    public void SimulateSnapshot_WithOut_WritesTheScenarioReport()
    {
        using var dir = new TempDir();
        var file = dir.Combine("s.json");
        SnapshotFile.Write(file, WhatIfCluster.Snapshot(), new SnapshotSource());

        var run = CliRun.Of("simulate", "--snapshot", file, "--profiles", "strict-fifo", "-j", "1", "--out", dir.Combine("out"), "--default-runtime", "30m");

        Assert.True(run.ExitCode == 0, run.ToString());
        var summary = File.ReadAllLines(Path.Combine(dir.Combine("out"), "summary.csv"));
        var whole = summary.Single(l => l.Split(',')[2] == "*").Split(',');
        Assert.Equal(("1", "7200.0"), (whole[3], whole[5])); // one pending job, waiting the 2 h train has left
    }

    [Theory]
    [InlineData("scenario.yaml", "kind: Scenario\n", "not a JSON file")]
    [InlineData("other.json", """{"kind": "Scenario"}""", "not a Berth cluster snapshot")]
    public void SimulateSnapshot_ForeignFile_ExitsTwoNamingWhatIsWrong(string name, string content, string message)
    {
        using var dir = new TempDir();
        var file = dir.File(name, content);

        var run = CliRun.Of("simulate", "--snapshot", file, "--profiles", "strict-fifo");

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.StartsWith($"error: {file}", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--set-quota", "team-z/a100/gpu=4", "no valid queue 'team-z'")]
    [InlineData("--default-runtime", "soon", "--default-runtime 'soon': give a positive duration")]
    [InlineData("--policies", "fgd", "--snapshot brings its own cluster")]
    [InlineData("--profiles", "fastest", "unknown profile 'fastest'")]
    public void SimulateSnapshot_BadOption_ExitsTwo(string option, string value, string message)
    {
        using var dir = new TempDir();
        var file = dir.Combine("s.json");
        SnapshotFile.Write(file, WhatIfCluster.Snapshot(), new SnapshotSource());

        var run = CliRun.Of("simulate", "--snapshot", file, option, value);

        Assert.True(run.ExitCode == ExitCodes.BadInput, run.ToString());
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_SetQuotaWithoutSnapshot_ExitsTwo()
    {
        var run = CliRun.Of("simulate", "--demo", "--set-quota", "a/b/gpu=1");
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains("--set-quota goes with --snapshot", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The profile cells of a workload's row in the start table.</summary>
    private static string[] StartCells(string output, string workload)
    {
        var row = output.Split('\n').Single(l => l.Contains(workload, StringComparison.Ordinal));
        return row.Split('│', StringSplitOptions.TrimEntries).Where(c => c.Length > 0).Skip(3).ToArray();
    }
}
