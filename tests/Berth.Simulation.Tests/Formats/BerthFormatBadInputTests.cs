using Berth.Simulation.Formats;
using Berth.Simulation.Input;

namespace Berth.Simulation.Tests.Formats;

public sealed class BerthFormatBadInputTests
{
    /// <summary>A broken file: the text, and the line, field and words the error must carry.</summary>
    public sealed record BadFile(string Case, string Text, int Line, string Field, string Mentions)
    {
        public override string ToString() => Case;
    }

    private const string ClusterHead = "kind: Cluster\nnodes:\n";
    private const string WorkloadHead = "kind: Workload\npods:\n";
    private const string GoodNode = "  - name: n0\n    cpuMilli: 1000\n    memoryMiB: 1024\n";
    private const string GoodPod = "  - name: p0\n    cpuMilli: 1000\n    memoryMiB: 1024\n";

    public static TheoryData<BadFile> BadClusters => new()
    {
        new("A misspelt node field is rejected with a suggestion", ClusterHead + GoodNode + "  - name: n1\n    cpuMili: 1000\n    memoryMiB: 1024\n", 7, "cpuMili", "did you mean 'cpuMilli'"),
        new("A node without cpu is rejected, naming cpu", ClusterHead + GoodNode + "  - name: n1\n    memoryMiB: 1024\n", 6, "cpu", "add it, e.g. 'cpu: 96'"),
        new("A negative memory is rejected", ClusterHead + "  - name: n1\n    cpuMilli: 1000\n    memoryMiB: -5\n", 5, "memoryMiB", "0 or more"),
        new("A non-numeric CPU is rejected", ClusterHead + "  - name: n1\n    cpuMilli: lots\n    memoryMiB: 5\n", 4, "cpuMilli", "not a whole number"),
        new("A fractional GPU count is rejected", ClusterHead + "  - name: n1\n    cpuMilli: 1\n    memoryMiB: 5\n    gpus: 1.5\n    gpuModel: A100\n", 6, "gpus", "not a whole number"),
        new("An unknown node GPU model is rejected", ClusterHead + "  - name: n1\n    cpuMilli: 1\n    memoryMiB: 5\n    gpus: 2\n    gpuModel: A1000\n", 7, "gpuModel", "unknown GPU model 'A1000'"),
        new("GPUs without a model are rejected", ClusterHead + "  - name: n1\n    cpuMilli: 1\n    memoryMiB: 5\n    gpus: 2\n", 3, "gpuModel", "add 'gpuModel:'"),
        new("An unknown taint effect is rejected", ClusterHead + "  - name: n1\n    cpuMilli: 1\n    memoryMiB: 5\n    taints:\n      - key: a\n        effect: NoScheduling\n", 8, "effect", "NoSchedule, PreferNoSchedule, NoExecute"),
        new("A duplicate node name is rejected", ClusterHead + GoodNode + GoodNode, 6, "name", "defined twice (first at line 3)"),
        new("A group that repeats a node name is rejected", ClusterHead + "  - name: g-0001\n    cpuMilli: 1\n    memoryMiB: 1\n  - count: 2\n    namePrefix: g\n    cpuMilli: 1\n    memoryMiB: 1\n", 6, "namePrefix", "'g-0001' is defined twice"),
        new("A group with a misspelt rack size is rejected", ClusterHead + "  - count: 2\n    namePrefix: g\n    cpuMilli: 1\n    memoryMiB: 1\n    rackSise: 4\n", 7, "rackSise", "did you mean 'rackSize'"),
        new("NVLink islands that do not divide a node's GPUs are rejected", ClusterHead + "  - name: n1\n    cpuMilli: 1\n    memoryMiB: 5\n    gpus: 8\n    gpuModel: A100\n    nvlinkIslandSize: 3\n", 8, "nvlinkIslandSize", "do not split into NVLink islands of 3"),
        new("A group of zero nodes is rejected", ClusterHead + "  - count: 0\n    namePrefix: g\n    cpuMilli: 1\n    memoryMiB: 1\n", 3, "count", "at least 1"),
        new("An unknown top-level field is rejected", "kind: Cluster\nnode:\n" + GoodNode, 2, "node", "did you mean 'nodes'"),
        new("A workload file passed as cluster is rejected", "kind: Workload\nnodes:\n" + GoodNode, 1, "kind", "this is a Workload file"),
        new("A missing kind is rejected", "nodes:\n" + GoodNode, 1, "kind", "add it"),
        new("An empty node list is rejected", "kind: Cluster\nnodes: []\n", 2, "nodes", "at least one"),
        new("A GPU model declared without memory is rejected", "kind: Cluster\ngpuModels:\n  - name: X1\nnodes:\n" + GoodNode, 3, "memoryMiB", "add it"),
        new("Malformed YAML is rejected with its line", ClusterHead + GoodNode + "  - name: [unclosed\n    cpuMilli: 1\n", 6, "", "not valid YAML"),
        new("A duplicate key is rejected as malformed", ClusterHead + "  - name: n1\n    cpuMilli: 1\n    cpuMilli: 2\n    memoryMiB: 1\n", 5, "", "not valid YAML"),
    };

    public static TheoryData<BadFile> BadWorkloads => new()
    {
        new("A misspelt pod field is rejected with a suggestion", WorkloadHead + GoodPod + "  - name: p1\n    cpuMilli: 1\n    memoryMiB: 1\n    gpu: 1\n", 9, "gpu", "did you mean 'gpus'"),
        new("A pod without a name is rejected", WorkloadHead + "  - cpuMilli: 1\n    memoryMiB: 1\n", 3, "name", "add it"),
        new("A pod without memory is rejected, naming memory", WorkloadHead + "  - name: p\n    cpuMilli: 1\n", 3, "memory", "add it, e.g. 'memory: 16Gi'"),
        new("A negative CPU is rejected", WorkloadHead + "  - name: p\n    cpuMilli: -1\n    memoryMiB: 1\n", 4, "cpuMilli", "0 or more"),
        new("A non-numeric GPU count is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    gpus: one\n", 6, "gpus", "not a whole number"),
        new("A GPU share above 1000 is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    gpus: 1\n    gpuMilli: 1500\n", 7, "gpuMilli", "1000 = one whole GPU"),
        new("A multi-GPU pod with a partial share is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    gpus: 2\n    gpuMilli: 500\n", 7, "gpuMilli", "takes whole GPUs"),
        new("A GPU share without GPUs is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    gpuMilli: 500\n", 6, "gpuMilli", "add 'gpus: 1'"),
        new("More GPUs than a node can hold are rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    gpus: 32\n", 6, "gpus", "at most 16"),
        new("An unknown pod GPU model is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    gpus: 1\n    gpuModels: [A100, H1OO]\n", 7, "gpuModels", "unknown GPU model 'H1OO'"),
        new("An unknown toleration effect is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    tolerations:\n      - key: a\n        operator: Exists\n        effect: Never\n", 9, "effect", "unknown taint effect 'Never'"),
        new("An unknown toleration operator is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    tolerations:\n      - key: a\n        operator: In\n", 8, "operator", "Equal or Exists"),
        new("A pod that leaves before it arrives is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    creationTime: 10\n    deletionTime: 5\n", 7, "deletionTime", "before creationTime"),
        new("A duplicate pod name from count is rejected", WorkloadHead + "  - name: p-0001\n    cpuMilli: 1\n    memoryMiB: 1\n  - name: p\n    count: 2\n    cpuMilli: 1\n    memoryMiB: 1\n", 6, "name", "'p-0001' is defined twice"),
        new("A pod list that is not a list is rejected", "kind: Workload\npods: {name: p}\n", 2, "pods", "must be a list"),
        new("A label map given as a list is rejected", WorkloadHead + "  - name: p\n    cpuMilli: 1\n    memoryMiB: 1\n    nodeSelector: [a]\n", 6, "nodeSelector", "must be a mapping"),
    };

    [Theory]
    [MemberData(nameof(BadClusters))]
    public void ReadCluster_BadFile_ThrowsWithFileLineAndField(BadFile bad)
    {
        using var dir = new TempDir();
        var path = dir.Write("cluster.yaml", bad.Text);

        var error = Assert.Throws<InputException>(() => BerthFormat.ReadCluster(path));

        AssertNames(error, path, bad);
    }

    [Theory]
    [MemberData(nameof(BadWorkloads))]
    public void ReadWorkload_BadFile_ThrowsWithFileLineAndField(BadFile bad)
    {
        using var dir = new TempDir();
        var path = dir.Write("workload.yaml", bad.Text);

        var error = Assert.Throws<InputException>(() => BerthFormat.ReadWorkload(path));

        AssertNames(error, path, bad);
    }

    [Fact]
    public void ReadWorkload_MalformedJson_ThrowsWithLine()
    {
        using var dir = new TempDir();
        var path = dir.Write("workload.json", "{\n  \"kind\": \"Workload\",\n  \"pods\": [\n    {\"name\": \"p\",, }\n  ]\n}\n");

        var error = Assert.Throws<InputException>(() => BerthFormat.ReadWorkload(path));

        Assert.Equal(path, error.File);
        Assert.Equal(4, error.Line);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadWorkload_ModelDeclaredOnlyInCluster_NeedsTheClusterCatalog()
    {
        using var dir = new TempDir();
        var cluster = dir.Write("cluster.yaml", "kind: Cluster\ngpuModels:\n  - {name: X1, memoryMiB: 1024}\nnodes:\n  - {name: n, cpuMilli: 1, memoryMiB: 1, gpus: 1, gpuModel: X1}\n");
        var workload = dir.Write("w.yaml", WorkloadHead + "  - {name: p, cpuMilli: 1, memoryMiB: 1, gpus: 1, gpuModels: [X1]}\n");

        Assert.Throws<InputException>(() => BerthFormat.ReadWorkload(workload));
        var input = BerthFormat.Read(cluster, workload);

        Assert.Equal(["X1"], Assert.Single(input.Pods).Pod.AllowedGpuModels);
    }

    [Fact]
    public void ReadCluster_MissingFile_ThrowsInputException()
    {
        using var dir = new TempDir();
        var path = dir.File("nope.yaml");

        var error = Assert.Throws<InputException>(() => BerthFormat.ReadCluster(path));

        Assert.Equal(path, error.File);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    private static void AssertNames(InputException error, string path, BadFile bad)
    {
        Assert.Equal(path, error.File);
        Assert.Equal(bad.Line, error.Line);
        Assert.Equal(bad.Field, error.Field);
        Assert.Contains(bad.Mentions, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{path}:{bad.Line}:", error.Message, StringComparison.Ordinal);
    }
}
