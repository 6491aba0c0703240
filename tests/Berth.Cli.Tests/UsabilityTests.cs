using Berth.Engine.Admission;
using Berth.Simulation.Formats;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Cli.Tests;

/// <summary>Issue 18, point 5: the errors and help a new user meets, each gap with its own test.</summary>
public sealed class UsabilityTests
{
    private const string TinyScenario = """
        kind: Scenario
        name: tiny
        cluster:
          nodeGroups:
            - {name: n, count: 2, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: default}
        queues:
          - {name: a, flavors: [{flavor: default, gpu: 8}]}
        workloads:
          - {name: a1, queue: a, submit: 0s, duration: 1h, gpus: 4}
        """;

    [Fact]
    public void Scenario_Folder_SaysItIsAFolderAndNamesAFileInIt()
    {
        using var dir = new TempDir();
        dir.File("demo.yaml", TinyScenario);

        var run = CliRun.Of("simulate", "--scenario", dir.Path, "--out", dir.Combine("out"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is a folder", run.Error, StringComparison.Ordinal);
        Assert.Contains("demo.yaml", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not found", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: Scenario\nname: \"unclosed\n", 2)]
    [InlineData("kind: Scenario\nname: [x\n", 3)]
    [InlineData("kind: Scenario\nname: x\nname: y\n", 3)]
    [InlineData("kind: Scenario\n\tname: x\n", 1)]
    public void Scenario_MalformedYaml_GivesFileLineAndNoExceptionText(string text, int line)
    {
        using var dir = new TempDir();
        var file = dir.File("bad.yaml", text);

        var run = CliRun.Of("simulate", "--scenario", file, "--out", dir.Combine("out"));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: {file}:{line}: the file is not valid YAML: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Line:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("YamlDotNet", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterAndWorkloadFiles_TakeKubernetesQuantities_SameAsMilliAndMiB()
    {
        using var dir = new TempDir();
        var quantities = dir.File("q.yaml", """
            kind: Cluster
            nodes:
              - {name: n1, cpu: 96, memory: 768Gi, gpus: 8, gpuModel: A100}
              - {count: 2, namePrefix: g, cpu: 500m, memory: 1.5Ti, gpus: 0}
            """);
        var milli = dir.File("m.yaml", """
            kind: Cluster
            nodes:
              - {name: n1, cpuMilli: 96000, memoryMiB: 786432, gpus: 8, gpuModel: A100}
              - {count: 2, namePrefix: g, cpuMilli: 500, memoryMiB: 1572864, gpus: 0}
            """);

        var a = BerthFormat.ReadCluster(quantities).Nodes;
        var b = BerthFormat.ReadCluster(milli).Nodes;

        Assert.Equal(96_000, a[0].CpuMilli);
        Assert.Equal(786_432, a[0].MemoryMiB);
        Assert.Equal((b[0].CpuMilli, b[0].MemoryMiB, b[0].GpuCount), (a[0].CpuMilli, a[0].MemoryMiB, a[0].GpuCount));
        Assert.Equal(500, a[1].CpuMilli);
        Assert.Equal(1_572_864, a[1].MemoryMiB);

        var pods = BerthFormat.ReadWorkload(dir.File("w.yaml", """
            kind: Workload
            pods:
              - {name: p, cpu: 4, memory: 16Gi, gpus: 1}
              - {name: r, cpuMilli: 250, memoryMiB: 512}
            """));
        Assert.Equal((4000L, 16_384L), (pods[0].Pod.CpuMilli, pods[0].Pod.MemoryMiB));
        Assert.Equal((250L, 512L), (pods[1].Pod.CpuMilli, pods[1].Pod.MemoryMiB));
    }

    [Theory]
    [InlineData("{name: n1, cpu: 96, cpuMilli: 96000, memory: 1Gi}", "cpuMilli", "keep one")]
    [InlineData("{name: n1, cpu: 96, memory: 1Gi, memoryMiB: 1024}", "memoryMiB", "keep one")]
    [InlineData("{name: n1, cpu: lots, memory: 1Gi}", "cpu", "not a CPU amount")]
    [InlineData("{name: n1, cpu: 96, memory: 1GB}", "memory", "not an amount of memory")]
    [InlineData("{name: n1, memory: 1Gi}", "cpu", "'cpu: 96'")]
    public void ClusterFile_BadCpuOrMemory_NamesTheRightField(string node, string field, string problem)
    {
        using var dir = new TempDir();
        var file = dir.File("c.yaml", $"kind: Cluster\nnodes:\n  - {node}\n");

        var e = Assert.Throws<InputException>(() => BerthFormat.ReadCluster(file));

        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("gpus", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenario_TakesCpuMilliAndMemoryMiB_TooSameAsQuantities()
    {
        var quantities = ScenarioReader.Read("q.yaml", TinyScenario);
        var milli = ScenarioReader.Read("m.yaml", TinyScenario.Replace("cpu: 64, memory: 512Gi", "cpuMilli: 64000, memoryMiB: 524288", StringComparison.Ordinal));

        Assert.Equal(quantities.Nodes[0].CpuMilli, milli.Nodes[0].CpuMilli);
        Assert.Equal(quantities.Nodes[0].MemoryMiB, milli.Nodes[0].MemoryMiB);
        Assert.Equal(64_000, milli.Nodes[0].CpuMilli);
    }

    [Fact]
    public void Explain_UnknownProfile_NamesProfileNotProfiles()
    {
        using var dir = new TempDir();
        var file = dir.File("s.yaml", TinyScenario);

        var run = CliRun.Of("explain", "--scenario", file, "--at", "1h", "--profile", "nope");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--profile: unknown profile 'nope'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("--profiles", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--nodes", "-3")]
    [InlineData("--nodes", "0")]
    [InlineData("--target", "-5")]
    public void Generate_BadNumber_NamesTheOptionNotTheProperty(string option, string value)
    {
        using var dir = new TempDir();

        var run = CliRun.Of("generate", option, value, "--out", dir.Combine("g"));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: {option} {value}:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Nodes", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("TargetPercent", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("g")));
    }

    [Fact]
    public void ExplainHelp_ListsEveryReasonCode()
    {
        var run = CliRun.Of("explain", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var code in Enum.GetNames<PendingReasonCode>())
        {
            Assert.Contains("    " + code + " ", run.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ScenarioGivenAsClusterFile_IsRecognisedAndPointsToScenario()
    {
        using var dir = new TempDir();
        var scenario = dir.File("demo.yaml", TinyScenario);
        var pods = dir.File("pods.csv", TinyTrace.Pods());

        var run = CliRun.Of("simulate", "--nodes", scenario, "--pods", pods, "--out", dir.Combine("out"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("field 'kind': kind is 'Scenario'", run.Error, StringComparison.Ordinal);
        Assert.Contains($"berth simulate --scenario {scenario}", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown field", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterFileGivenAsScenario_IsRecognised()
    {
        using var dir = new TempDir();
        var cluster = dir.File("cluster.yaml", "kind: Cluster\nnodes:\n  - {name: n1, cpu: 8, memory: 1Gi}\n");

        var run = CliRun.Of("simulate", "--scenario", cluster, "--out", dir.Combine("out"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("this is a Cluster file", run.Error, StringComparison.Ordinal);
        Assert.Contains("--nodes", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_NoArguments_MentionsDemoFirst()
    {
        var run = CliRun.Of("simulate");

        Assert.Equal(2, run.ExitCode);
        var demo = run.Error.IndexOf("--demo", StringComparison.Ordinal);
        Assert.True(demo >= 0, run.ToString());
        var outOption = run.Error.IndexOf("--out", StringComparison.Ordinal);
        Assert.True(outOption < 0 || demo < outOption, run.ToString());
        Assert.DoesNotContain("--out is required", run.Error, StringComparison.Ordinal);
    }
}
