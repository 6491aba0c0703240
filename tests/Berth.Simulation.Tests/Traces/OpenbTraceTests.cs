using Berth.Model;
using Berth.Simulation.Input;
using Berth.Simulation.Traces;

namespace Berth.Simulation.Tests.Traces;

public sealed class OpenbTraceTests
{
    /// <summary>A broken CSV: its text, and the line and field the error must name.</summary>
    public sealed record BadCsv(string Case, string Text, int Line, string Field, string Mentions)
    {
        public override string ToString() => Case;
    }

    private const string PodHeader11 = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";
    private const string PodHeader5 = "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n";
    private const string NodeHeader = "sn,cpu_milli,memory_mib,gpu,model\n";
    private const string GoodPod11 = "p0,1000,2048,1,500,,LS,Running,0,10,0\n";
    private const string GoodNode = "n0,64000,262144,2,P100\n";

    private static IReadOnlyList<TracePod> Pods(string text) => OpenbTrace.ReadPods("pods.csv", new StringReader(text), GpuModelCatalog.Default);

    private static IReadOnlyList<Node> Nodes(string text) => OpenbTrace.ReadNodes("nodes.csv", new StringReader(text), GpuModelCatalog.Default);

    [Fact]
    public void ReadPods_ElevenColumns_ReadsRequestModelsAndTimes()
    {
        var pods = Pods(PodHeader11
            + "p0,12000,16384,1,460,,LS,Running,0,12537496,0\n"
            + "p1,8000,4096,4,1000,V100M16|A100,BE,Running,100,200,150\n"
            + "p2,4000,1024,0,0,,LS,Running,5,,5\n");

        Assert.Equal(3, pods.Count);
        var p0 = pods[0];
        Assert.Equal(("p0", 12000L, 16384L, 1, 460), (p0.Pod.Name, p0.Pod.CpuMilli, p0.Pod.MemoryMiB, p0.Pod.GpuCount, p0.Pod.GpuMilli));
        Assert.Empty(p0.Pod.AllowedGpuModels);
        Assert.Equal((0L, 12537496L), (p0.CreationTime!.Value, p0.DeletionTime!.Value));
        Assert.Equal(["V100M16", "A100"], pods[1].Pod.AllowedGpuModels);
        Assert.Equal((4, 1000), (pods[1].Pod.GpuCount, pods[1].Pod.GpuMilli));
        Assert.True(pods[2].Pod.IsCpuOnly);
        Assert.Equal(5L, pods[2].CreationTime);
        Assert.Null(pods[2].DeletionTime);
    }

    [Fact]
    public void ReadPods_FiveColumns_ReadsRequestWithoutModelsOrTimes()
    {
        var pods = Pods(PodHeader5 + "a,1000,2048,1,250\n\nb,2000,0,2,1000\n");

        Assert.Equal(["a", "b"], pods.Select(p => p.Pod.Name));
        Assert.Equal(250, pods[0].Pod.GpuMilli);
        Assert.Equal(2, pods[1].Pod.GpuCount);
        Assert.All(pods, p => Assert.Empty(p.Pod.AllowedGpuModels));
        Assert.All(pods, p => Assert.Null(p.CreationTime));
        Assert.All(pods, p => Assert.Null(p.DeletionTime));
    }

    [Fact]
    public void ReadPods_ColumnsInAnotherOrderWithBom_ReadsByName()
    {
        var pods = Pods("\uFEFFgpu_milli,num_gpu,memory_mib,cpu_milli,name\n300,1,64,500,x\n");

        var pod = Assert.Single(pods).Pod;
        Assert.Equal(("x", 500L, 64L, 1, 300), (pod.Name, pod.CpuMilli, pod.MemoryMiB, pod.GpuCount, pod.GpuMilli));
    }

    [Fact]
    public void ReadNodes_GpuAndCpuNodes_ReadsModelAndGpuMemory()
    {
        var nodes = Nodes(NodeHeader + GoodNode + "n1,96000,786432,8,A100\nn2,32000,131072,0,\n");

        Assert.Equal(3, nodes.Count);
        Assert.Equal(("n0", 64000L, 262144L, 2, "P100", 16L * 1024), (nodes[0].Name, nodes[0].CpuMilli, nodes[0].MemoryMiB, nodes[0].GpuCount, nodes[0].GpuModel, nodes[0].GpuMemoryMiB));
        Assert.Equal(80L * 1024, nodes[1].GpuMemoryMiB);
        Assert.Equal(0, nodes[2].GpuCount);
        Assert.Null(nodes[2].GpuModel);
    }

    public static TheoryData<BadCsv> BadPodFiles => new()
    {
        new("A missing gpu_milli column is reported on the header", "name,cpu_milli,memory_mib,num_gpu\np,1,1,0\n", 1, "gpu_milli", "missing column 'gpu_milli'"),
        new("A negative CPU is rejected", PodHeader11 + GoodPod11 + "p1,-5,1,0,0,,LS,Running,0,1,0\n", 3, "cpu_milli", "negative"),
        new("A negative memory is rejected", PodHeader5 + "p1,1,-1,0,0\n", 2, "memory_mib", "negative"),
        new("A non-numeric memory is rejected", PodHeader11 + GoodPod11 + GoodPod11.Replace("p0,", "p1,") + "p2,1,lots,0,0,,LS,Running,0,1,0\n", 4, "memory_mib", "'lots' is not a whole number"),
        new("A fractional GPU share is rejected", PodHeader5 + "p1,1,1,1,0.5\n", 2, "gpu_milli", "not a whole number"),
        new("A GPU share above 1000 is rejected", PodHeader5 + "p1,1,1,1,1001\n", 2, "gpu_milli", "above 1000"),
        new("A GPU pod with share 0 is rejected", PodHeader5 + "p1,1,1,1,0\n", 2, "gpu_milli", "gpu_milli 0"),
        new("A multi-GPU pod with a partial share is rejected", PodHeader5 + "p1,1,1,2,500\n", 2, "gpu_milli", "whole GPUs"),
        new("More than 16 GPUs are rejected", PodHeader5 + "p1,1,1,17,1000\n", 2, "num_gpu", "at most 16"),
        new("An unknown model in gpu_spec is rejected", PodHeader11 + "p1,1,1,1,1000,A100|V100X,LS,Running,0,1,0\n", 2, "gpu_spec", "unknown GPU model 'V100X'"),
        new("An empty pod name is rejected", PodHeader5 + ",1,1,0,0\n", 2, "name", "name is empty"),
        new("A pod that leaves before it arrives is rejected", PodHeader11 + "p1,1,1,0,0,,LS,Running,10,5,10\n", 2, "deletion_time", "before creation_time"),
        new("A negative creation time is rejected", PodHeader11 + "p1,1,1,0,0,,LS,Running,-1,5,0\n", 2, "creation_time", "negative"),
        new("A short row names the first missing field", PodHeader5 + "p1,1,1\n", 2, "num_gpu", "3 fields"),
        new("An empty file is rejected on line 1", "", 1, "", "empty"),
        new("A header without rows is rejected", PodHeader5, 0, "", "no rows"),
    };

    public static TheoryData<BadCsv> BadNodeFiles => new()
    {
        new("A missing model column is reported on the header", "sn,cpu_milli,memory_mib,gpu\nn,1,1,0\n", 1, "model", "missing column 'model'"),
        new("An unknown GPU model is rejected", NodeHeader + GoodNode + "n1,1,1,4,A1OO\n", 3, "model", "unknown GPU model 'A1OO'"),
        new("GPUs without a model are rejected", NodeHeader + "n1,1,1,4,\n", 2, "model", "no model"),
        new("More than 16 GPUs are rejected", NodeHeader + "n1,1,1,17,A100\n", 2, "gpu", "at most 16"),
        new("A negative GPU count is rejected", NodeHeader + "n1,1,1,-1,A100\n", 2, "gpu", "negative"),
        new("A negative CPU is rejected", NodeHeader + "n1,-1,1,1,A100\n", 2, "cpu_milli", "negative"),
        new("A non-numeric memory is rejected", NodeHeader + "n1,1,1e6,1,A100\n", 2, "memory_mib", "not a whole number"),
        new("A duplicate node name is rejected", NodeHeader + GoodNode + GoodNode, 3, "sn", "appears twice"),
        new("An empty node name is rejected", NodeHeader + ",1,1,0,\n", 2, "sn", "name is empty"),
    };

    [Theory]
    [MemberData(nameof(BadPodFiles))]
    public void ReadPods_BadInput_ThrowsWithFileLineAndField(BadCsv bad)
    {
        var error = Assert.Throws<InputException>(() => Pods(bad.Text));

        AssertNames(error, "pods.csv", bad);
    }

    [Theory]
    [MemberData(nameof(BadNodeFiles))]
    public void ReadNodes_BadInput_ThrowsWithFileLineAndField(BadCsv bad)
    {
        var error = Assert.Throws<InputException>(() => Nodes(bad.Text));

        AssertNames(error, "nodes.csv", bad);
    }

    [Fact]
    public void ReadNodes_MissingFile_ThrowsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"berth-missing-{Guid.NewGuid():N}.csv");

        var error = Assert.Throws<InputException>(() => OpenbTrace.ReadNodes(path));

        Assert.Equal(path, error.File);
        Assert.Contains("file not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPods_ExtraModelInCatalog_IsAccepted()
    {
        var catalog = GpuModelCatalog.Default.With([new GpuModelInfo("X9", 1024)]);

        var pods = OpenbTrace.ReadPods("pods.csv", new StringReader(PodHeader11 + "p1,1,1,1,1000,X9,LS,Running,0,1,0\n"), catalog);

        Assert.Equal(["X9"], Assert.Single(pods).Pod.AllowedGpuModels);
    }

    [SharedDataFact]
    public void Read_RealGpuNodeListAndDefaultPods_MatchesPublishedSizes()
    {
        var input = OpenbTrace.Read(TestKit.SharedData.Openb("openb_node_list_gpu_node.csv"), TestKit.SharedData.Openb("openb_pod_list_default.csv"));

        Assert.Equal("openb_pod_list_default", input.Name);
        Assert.Equal(1213, input.Nodes.Count);
        Assert.Equal(6212, input.Nodes.Sum(n => n.GpuCount));
        Assert.Equal(6_212_000, input.GpuCapacityMilli);
        Assert.Equal(8152, input.Pods.Count);
        Assert.All(input.Pods, p => Assert.Null(Record.Exception(p.Pod.Validate)));
    }

    private static void AssertNames(InputException error, string file, BadCsv bad)
    {
        Assert.Equal(file, error.File);
        Assert.Equal(bad.Line, error.Line);
        Assert.Equal(bad.Field, error.Field);
        Assert.Contains(bad.Mentions, error.Problem, StringComparison.Ordinal);
        Assert.StartsWith(bad.Line > 0 ? $"{file}:{bad.Line}" : file, error.Message, StringComparison.Ordinal);
    }
}
