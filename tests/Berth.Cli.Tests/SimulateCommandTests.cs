using Berth.Engine.Policies;
using Berth.Simulation.Reports;

namespace Berth.Cli.Tests;

public sealed class SimulateCommandTests
{
    [Fact]
    public void Simulate_TinyTrace_WritesEveryReportFile()
    {
        using var dir = new TempDir();
        var nodes = dir.File("nodes.csv", TinyTrace.Nodes());
        var pods = dir.File("pods.csv", TinyTrace.Pods());
        var outDir = dir.Combine("out");

        var run = CliRun.Of("simulate", "--nodes", nodes, "--pods", pods, "--policies", "fgd,bestfit", "--seeds", "42-43", "--out", outDir, "--parallel", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["curves.csv", "report.html", "runs.json", "summary.csv"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var summary = File.ReadAllLines(Path.Combine(outDir, "summary.csv"));
        Assert.Equal("trace,policy,seed,alloc_at_100,alloc_at_130,frag_amount_at_100,failed_pods,wall_seconds,mig_repartitions,mig_frag_percent", summary[0]);
        Assert.Equal(["pods,fgd,42", "pods,fgd,43", "pods,bestfit,42", "pods,bestfit,43"], summary.Skip(1).Select(l => string.Join(',', l.Split(',').Take(3))));
        var curves = File.ReadAllLines(Path.Combine(outDir, "curves.csv"));
        Assert.Equal("trace,policy,seed,arrived_percent,alloc_percent,frag_percent,frag_ratio_percent,failed_pods", curves[0]);
        Assert.Equal(4 * 131, curves.Length - 1);
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("<canvas", html, StringComparison.Ordinal);
        Assert.Contains(">fgd<", html, StringComparison.Ordinal);
        Assert.Contains(">bestfit<", html, StringComparison.Ordinal);
        Assert.Contains("fgd", run.Out, StringComparison.Ordinal);
        Assert.Contains(outDir, run.Out, StringComparison.Ordinal);
        Assert.Equal(["nodes.csv", "out", "out/curves.csv", "out/report.html", "out/runs.json", "out/summary.csv", "pods.csv"], dir.Entries());
    }

    [Fact]
    public void Simulate_OutputNotATerminal_PrintsPlainTextWithoutEscapeCodes()
    {
        using var dir = new TempDir();
        var run = CliRun.Of("simulate", "--nodes", dir.File("nodes.csv", TinyTrace.Nodes()), "--pods", dir.File("pods.csv", TinyTrace.Pods()),
            "--policies", "random", "--seeds", "1", "--out", dir.Combine("out"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain('\u001b', run.Out);
        Assert.Contains("[1/1] pods · random · seed 1", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_OutFolderExists_ReplacesReportFilesAndKeepsOthers()
    {
        using var dir = new TempDir();
        var outDir = Directory.CreateDirectory(dir.Combine("out")).FullName;
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(outDir, "summary.csv"), "old");

        var run = CliRun.Of("simulate", "--nodes", dir.File("nodes.csv", TinyTrace.Nodes()), "--pods", dir.File("pods.csv", TinyTrace.Pods()),
            "--policies", "bestfit", "--seeds", "3", "--out", outDir);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outDir, "notes.txt")));
        Assert.StartsWith("trace,policy,seed", File.ReadAllText(Path.Combine(outDir, "summary.csv")), StringComparison.Ordinal);
        Assert.Equal(["nodes.csv", "out", "out/curves.csv", "out/notes.txt", "out/report.html", "out/runs.json", "out/summary.csv", "pods.csv"], dir.Entries());
    }

    public sealed record BadInputCase(string Name, string Nodes, string Pods, string[] Options, string[] MessageParts)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<BadInputCase> BadInputs() =>
    [
        new("a pod list without the gpu_milli column names the file, line 1 and the column",
            TinyTrace.Nodes(), "name,cpu_milli,memory_mib,num_gpu\np1,1000,1024,1\n", [], ["pods.csv:1", "gpu_milli"]),
        new("a node row with a bad number names the file, the line and the field",
            TinyTrace.Nodes() + "node-x,lots,1024,2,V100M32\n", TinyTrace.Pods(), [], ["nodes.csv:9", "cpu_milli"]),
        new("an unknown GPU model names the field and the known models",
            "sn,cpu_milli,memory_mib,gpu,model\nn1,1000,1024,2,Voodoo5\n", TinyTrace.Pods(), [], ["nodes.csv:2", "model", "Voodoo5"]),
        new("an unknown policy names it and the valid ones",
            TinyTrace.Nodes(), TinyTrace.Pods(), ["--policies", "fgd,bestfitt"], ["bestfitt", "gpupacking"]),
        new("a backwards seed range says how to fix it",
            TinyTrace.Nodes(), TinyTrace.Pods(), ["--seeds", "51-42"], ["--seeds", "42-51"]),
        new("a seed that is not a number is named",
            TinyTrace.Nodes(), TinyTrace.Pods(), ["--seeds", "42,x"], ["--seeds", "'x'"]),
        new("a workload that does not exist names the path",
            TinyTrace.Nodes(), TinyTrace.Pods(), ["--pods", "missing.csv"], ["missing.csv", "not found"]),
        new("a zero parallelism is refused",
            TinyTrace.Nodes(), TinyTrace.Pods(), ["--parallel", "0"], ["--parallel"]),
        new("an unknown mode is refused by the parser",
            TinyTrace.Nodes(), TinyTrace.Pods(), ["--mode", "fast"], ["fast"]),
        new("replay of a pod list without times explains why",
            TinyTrace.Nodes(), TinyTrace.Pods(), ["--mode", "replay"], ["creation", "--mode inflation"]),
    ];

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Simulate_BadInput_ExitsTwoNamesTheProblemAndWritesNothing(BadInputCase c)
    {
        using var dir = new TempDir();
        var nodes = dir.File("nodes.csv", c.Nodes);
        var pods = dir.File("pods.csv", c.Pods);
        var before = dir.Entries();
        var options = new Dictionary<string, string>
        {
            ["--nodes"] = nodes, ["--pods"] = pods, ["--policies"] = "fgd", ["--seeds"] = "1", ["--out"] = dir.Combine("out"),
        };
        for (var i = 0; i < c.Options.Length; i += 2)
        {
            options[c.Options[i]] = c.Options[i + 1] == "missing.csv" ? dir.Combine("missing.csv") : c.Options[i + 1];
        }

        var run = CliRun.Of(["simulate", .. options.SelectMany(o => new[] { o.Key, o.Value })]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        foreach (var part in c.MessageParts)
        {
            Assert.Contains(part, run.Error, StringComparison.Ordinal);
        }

        Assert.Equal(before, dir.Entries());
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public void Simulate_BadInputWithExistingOutFolder_LeavesItUntouched()
    {
        using var dir = new TempDir();
        var outDir = Directory.CreateDirectory(dir.Combine("out")).FullName;
        File.WriteAllText(Path.Combine(outDir, "summary.csv"), "previous results");
        var before = dir.Entries();

        var run = CliRun.Of("simulate", "--nodes", dir.File("nodes.csv", TinyTrace.Nodes()), "--pods", dir.File("pods.csv", "name,cpu_milli\n"),
            "--out", outDir);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(before.Concat(["nodes.csv", "pods.csv"]).Order(StringComparer.Ordinal), dir.Entries());
        Assert.Equal("previous results", File.ReadAllText(Path.Combine(outDir, "summary.csv")));
    }

    [Fact]
    public void Simulate_Demo_GeneratesInputsAndWritesThemBesideTheReport()
    {
        using var dir = new TempDir();
        var outDir = dir.Combine("demo");

        var run = CliRun.Of("simulate", "--demo", "--policies", "random", "--seeds", "1", "--out", outDir);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["cluster.yaml", "curves.csv", "report.html", "runs.json", "summary.csv", "workload.yaml"],
            Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.StartsWith("demo,random,1,", File.ReadAllLines(Path.Combine(outDir, "summary.csv"))[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_DemoWithInputFiles_ExitsTwo()
    {
        var run = CliRun.Of("simulate", "--demo", "--nodes", "n.csv");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--demo generates its own", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_WithoutOut_ExitsTwoAndSaysOutIsRequired()
    {
        var run = CliRun.Of("simulate", "--nodes", "n.csv", "--pods", "p.csv");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--out is required", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_PoliciesAll_RunsEveryPolicyInDisplayOrder()
    {
        using var dir = new TempDir();
        var outDir = dir.Combine("out");

        var run = CliRun.Of("simulate", "--nodes", dir.File("nodes.csv", TinyTrace.Nodes()), "--pods", dir.File("pods.csv", TinyTrace.Pods()),
            "--policies", "all", "--seeds", "5", "--out", outDir, "--target", "110");

        Assert.True(run.ExitCode == 0, run.ToString());
        var policies = File.ReadAllLines(Path.Combine(outDir, SummaryCsv.FileName)).Skip(1).Select(l => l.Split(',')[1]);
        Assert.Equal(PlacementPolicies.Names, policies);
    }
}
