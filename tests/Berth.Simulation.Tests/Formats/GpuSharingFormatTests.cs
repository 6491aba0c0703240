using Berth.Model;
using Berth.Model.Gpus;
using Berth.Simulation.Formats;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Formats;

/// <summary>
/// Cluster and workload files with GPU sharing: nodes declare time-slicing, MPS or a MIG layout; pods ask with
/// Kubernetes resource names. Good input lands in the model; bad input names the line, the field and the fix.
/// </summary>
public sealed class GpuSharingFormatTests
{
    /// <summary>A broken file: the text, and the line, field and words the error must carry.</summary>
    public sealed record BadFile(string Case, string Text, int Line, string Field, string Mentions)
    {
        public override string ToString() => Case;
    }

    private const string ClusterHead = "kind: Cluster\nnodes:\n";
    private const string WorkloadHead = "kind: Workload\npods:\n";

    // Lines 3 to 7.
    private const string H100Node = "  - name: n\n    cpu: 64\n    memory: 512Gi\n    gpus: 8\n    gpuModel: H100\n";

    // Lines 3 to 5.
    private const string Pod = "  - name: p\n    cpu: 4\n    memory: 16Gi\n";

    [Fact]
    public void ReadCluster_EachSharingMode_LandsInTheModel()
    {
        using var dir = new TempDir();
        var path = dir.Write("cluster.yaml", ClusterHead
            + "  - {name: mig, cpu: 64, memory: 512Gi, gpus: 8, gpuModel: H100, gpuSharing: {mode: mig, migLayout: [3g.40gb, 2g.20gb, 1g.10gb, 1g.10gb]}}\n"
            + "  - {name: ts, cpu: 64, memory: 512Gi, gpus: 4, gpuModel: L40S, gpuSharing: {mode: timeSliced, replicas: 4}}\n"
            + "  - {name: mps, cpu: 64, memory: 512Gi, gpus: 4, gpuModel: A100, gpuSharing: {mode: mps, replicas: 4, activeThreadPercent: 25, pinnedMemory: 20Gi}}\n"
            + "  - {name: plain, cpu: 64, memory: 512Gi, gpus: 4, gpuModel: A100}\n"
            + "  - {count: 2, namePrefix: g, cpu: 64, memory: 512Gi, gpus: 8, gpuModel: A100-40G, gpuSharing: {mode: mig, migLayout: ['7g.40gb@0']}}\n");

        var nodes = BerthFormat.ReadCluster(path).Nodes;

        var mig = nodes[0].Sharing;
        Assert.Equal(GpuSharingMode.Mig, mig.Mode);
        var layout = mig.MigLayoutOf(0);
        Assert.True(layout.IsPlaced);
        Assert.True(MigGeometries.TryGet("H100", out var h100));
        Assert.Null(h100.Problem(layout));
        Assert.Equal(["1g.10gb", "1g.10gb", "2g.20gb", "3g.40gb"], layout.Instances.Select(i => i.Profile).Order(StringComparer.Ordinal));
        Assert.Equal(GpuSharing.TimeSliced(4), nodes[1].Sharing);
        Assert.Equal(GpuSharing.Mps(4, 25, 20 * 1024), nodes[2].Sharing);
        Assert.Equal(GpuSharing.Exclusive, nodes[3].Sharing);
        Assert.All(nodes.Skip(4), n => Assert.Equal(GpuSharing.Mig(MigLayout.Parse(["7g.40gb@0"])), n.Sharing));
        Assert.All(nodes, n => Assert.Null(Record.Exception(n.Validate)));
    }

    [Fact]
    public void ReadAndWriteCluster_MigRepartition_RoundTrips()
    {
        using var dir = new TempDir();
        var path = dir.Write("cluster.yaml", ClusterHead
            + "  - {name: flex, cpu: 64, memory: 512Gi, gpus: 8, gpuModel: H100, gpuSharing: {mode: mig, migLayout: [], repartition: true}}\n"
            + "  - {name: fixed, cpu: 64, memory: 512Gi, gpus: 8, gpuModel: H100, gpuSharing: {mode: mig, migLayout: [7g.80gb], repartition: false}}\n");

        var cluster = BerthFormat.ReadCluster(path);
        var written = dir.Write("again.yaml", "");
        BerthFormat.WriteCluster(written, cluster.Nodes);
        var again = BerthFormat.ReadCluster(written).Nodes;

        Assert.Equal([true, false], cluster.Nodes.Select(n => n.Sharing.MigRepartition));
        Assert.Equal(cluster.Nodes.Select(n => n.Sharing), again.Select(n => n.Sharing));
        Assert.Contains("repartition: true", File.ReadAllText(written), StringComparison.Ordinal);
    }

    public static TheoryData<BadFile> BadClusters => new()
    {
        new("A repartition flag that is not true or false is rejected", ClusterHead + H100Node + "    gpuSharing: {mode: mig, migLayout: [], repartition: yes}\n", 8, "repartition", "write true or false"),
        new("Repartition on a time-sliced node is rejected", ClusterHead + H100Node + "    gpuSharing: {mode: timeSliced, replicas: 2, repartition: true}\n", 8, "repartition", "belongs to sharing mode mig"),
        new("An unknown sharing mode is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: slices\n", 9, "mode", "use one of exclusive, timeSliced, mps, mig"),
        new("A misspelt sharing field is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: mig\n      migLayot: []\n", 10, "migLayot", "did you mean 'migLayout'"),
        new("Replicas on a MIG node are rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: mig\n      replicas: 4\n", 10, "replicas", "belongs to sharing mode timeSliced, mps"),
        new("A MIG layout on a time-sliced node is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: timeSliced\n      replicas: 2\n      migLayout: [7g.80gb]\n", 11, "migLayout", "belongs to sharing mode mig"),
        new("Time-slicing without replicas is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: timeSliced\n", 9, "replicas", "add it"),
        new("One time-sliced replica is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: timeSliced\n      replicas: 1\n", 10, "replicas", "it must be at least 2"),
        new("An overlapping MIG layout is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: mig\n      migLayout: ['3g.40gb@0', '2g.20gb@2']\n", 10, "migLayout", "overlap in memory slice 2"),
        new("A MIG start NVIDIA does not list is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: mig\n      migLayout: ['4g.40gb@4']\n", 10, "migLayout", "NVIDIA allows starts 0"),
        new("A MIG profile of another GPU is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: mig\n      migLayout: [3g.20gb]\n", 10, "migLayout", "unknown MIG profile '3g.20gb' for GPU model H100; use one of 1g.10gb"),
        new("A MIG layout too big for one GPU is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: mig\n      migLayout: [4g.40gb, 3g.40gb, 1g.10gb]\n", 10, "migLayout", "does not fit on one H100"),
        new("Too many instances of a profile are rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: mig\n      migLayout: [3g.40gb, 3g.40gb, 3g.40gb]\n", 10, "migLayout", "holds at most 2"),
        new("A resource name in a MIG layout is rejected", ClusterHead + H100Node + "    gpuSharing:\n      mode: mig\n      migLayout: [nvidia.com/mig-3g.40gb]\n", 10, "migLayout", "write the profile alone"),
        new("MIG on a GPU without MIG is rejected", ClusterHead + "  - {name: n, cpu: 1, memory: 1Gi, gpus: 2, gpuModel: T4, gpuSharing: {mode: mig, migLayout: []}}\n", 3, "migLayout", "MIG is known for A100, A100-40G, H100, H200"),
        new("Sharing on a node without GPUs is rejected", ClusterHead + "  - {name: n, cpu: 1, memory: 1Gi, gpuSharing: {mode: timeSliced, replicas: 2}}\n", 3, "mode", "node without GPUs"),
        new("MPS pinning more than the GPU has is rejected", ClusterHead + H100Node + "    gpuSharing: {mode: mps, replicas: 2, pinnedMemory: 100Gi}\n", 8, "mode", "up to the GPU's 81920 MiB"),
    };

    [Theory]
    [MemberData(nameof(BadClusters))]
    public void ReadCluster_BadSharing_ThrowsWithLineAndField(BadFile bad)
    {
        using var dir = new TempDir();
        var path = dir.Write("cluster.yaml", bad.Text);

        var error = Assert.Throws<InputException>(() => BerthFormat.ReadCluster(path));

        AssertNames(error, path, bad);
    }

    [Fact]
    public void ReadWorkload_ResourceNames_LandInThePod()
    {
        using var dir = new TempDir();
        var path = dir.Write("workload.yaml", WorkloadHead
            + "  - {name: mig, cpu: 4, memory: 16Gi, resources: {nvidia.com/mig-3g.40gb: 1}}\n"
            + "  - {name: whole, cpu: 4, memory: 16Gi, resources: {nvidia.com/gpu: 2}}\n"
            + "  - {name: share, cpu: 4, memory: 16Gi, resources: {berth.dev/gpu-share: 250, berth.dev/gpu-memory: 20Gi}}\n"
            + "  - {name: replica, cpu: 4, memory: 16Gi, resources: {nvidia.com/gpu.shared: 1, berth.dev/gpu-memory: 8Gi}}\n"
            + "  - {name: old, cpu: 4, memory: 16Gi, gpus: 2}\n"
            + "  - {name: mig40, cpu: 4, memory: 16Gi, gpuModels: [A100-40G], resources: {nvidia.com/mig-1g.5gb: 2}}\n");

        var pods = BerthFormat.ReadWorkload(path).Select(p => p.Pod).ToArray();

        Assert.Equal(("3g.40gb", 1, 0), (pods[0].MigProfile, pods[0].MigCount, pods[0].GpuCount));
        Assert.True(pods[0].IsMig);
        Assert.Equal((2, 1000), (pods[1].GpuCount, pods[1].GpuMilli));
        Assert.Equal(Equivalence.Describe(new TracePod(pods[4] with { Name = "whole" }, null, null)), Equivalence.Describe(new TracePod(pods[1], null, null)));
        Assert.Equal((1, 250, 20L * 1024), (pods[2].GpuCount, pods[2].GpuMilli, pods[2].GpuMemoryMiB));
        Assert.Equal((1, 8L * 1024, 0), (pods[3].SharedGpuReplicas, pods[3].GpuMemoryMiB, pods[3].GpuCount));
        Assert.Equal(("1g.5gb", 2), (pods[5].MigProfile, pods[5].MigCount));
        Assert.All(pods, p => Assert.Null(Record.Exception(p.Validate)));
    }

    public static TheoryData<BadFile> BadWorkloads => new()
    {
        new("An unknown resource is rejected", WorkloadHead + Pod + "    resources: {nvidia.com/gpus: 1}\n", 6, "resources", "unknown resource 'nvidia.com/gpus'"),
        new("CPU under resources is rejected", WorkloadHead + Pod + "    resources: {cpu: 1}\n", 6, "resources", "move it up one level"),
        new("An unknown MIG profile is rejected", WorkloadHead + Pod + "    resources: {nvidia.com/mig-3g.41gb: 1}\n", 6, "resources", "unknown MIG profile '3g.41gb'"),
        new("A MIG profile of a model the pod excludes is rejected", WorkloadHead + Pod + "    gpuModels: [A100-40G]\n    resources: {nvidia.com/mig-3g.40gb: 1}\n", 7, "resources", "for GPU models A100-40G; use a profile of the GPU (A100-40G: 1g.5gb"),
        new("Two MIG profiles in one pod are rejected", WorkloadHead + Pod + "    resources: {nvidia.com/mig-3g.40gb: 1, nvidia.com/mig-1g.10gb: 1}\n", 6, "resources", "a pod asks for one profile"),
        new("MIG with whole GPUs is rejected", WorkloadHead + Pod + "    resources: {nvidia.com/mig-3g.40gb: 1, nvidia.com/gpu: 1}\n", 6, "resources", "more than one kind of GPU"),
        new("gpus and nvidia.com/gpu together are rejected", WorkloadHead + Pod + "    gpus: 1\n    resources: {nvidia.com/gpu: 1}\n", 7, "resources", "sets both 'gpus' and resources nvidia.com/gpu"),
        new("A zero MIG count is rejected", WorkloadHead + Pod + "    resources: {nvidia.com/mig-3g.40gb: 0}\n", 6, "resources", "write a whole number from 1"),
        new("A share above one GPU is rejected", WorkloadHead + Pod + "    resources: {berth.dev/gpu-share: 1500}\n", 6, "resources", "from 1 to 1000"),
        new("GPU memory that is not a quantity is rejected", WorkloadHead + Pod + "    resources: {berth.dev/gpu-share: 500, berth.dev/gpu-memory: lots}\n", 6, "resources", "write GPU memory with Mi or Gi"),
        new("GPU memory without a GPU is rejected", WorkloadHead + Pod + "    resources: {berth.dev/gpu-memory: 8Gi}\n", 6, "resources", "asks for no GPU"),
        new("GPU memory with a MIG profile is rejected", WorkloadHead + Pod + "    resources: {nvidia.com/mig-3g.40gb: 1, berth.dev/gpu-memory: 8Gi}\n", 6, "resources", "the profile fixes the memory"),
        new("Too many time-sliced replicas are rejected", WorkloadHead + Pod + "    resources: {nvidia.com/gpu.shared: 64}\n", 6, "resources", "from 1 to 48"),
    };

    [Theory]
    [MemberData(nameof(BadWorkloads))]
    public void ReadWorkload_BadResources_ThrowsWithLineAndField(BadFile bad)
    {
        using var dir = new TempDir();
        var path = dir.Write("workload.yaml", bad.Text);

        var error = Assert.Throws<InputException>(() => BerthFormat.ReadWorkload(path));

        AssertNames(error, path, bad);
    }

    [Theory]
    [InlineData("yaml")]
    [InlineData("json")]
    public void WriteThenRead_SharingNodesAndRequests_GiveTheSameModel(string extension)
    {
        using var dir = new TempDir();
        Node[] nodes =
        [
            new() { Name = "mig", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 8, GpuModel = "H200", GpuMemoryMiB = 141 * 1024, Sharing = GpuSharing.Mig(MigLayout.Parse(["3g.71gb@4", "2g.35gb@0", "1g.18gb@2"])) },
            new() { Name = "ts", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 2, GpuModel = "L4", GpuMemoryMiB = 24 * 1024, Sharing = GpuSharing.TimeSliced(8) },
            new() { Name = "mps", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 2, GpuModel = "A100", GpuMemoryMiB = 80 * 1024, Sharing = GpuSharing.Mps(3, 30, 10 * 1024) },
        ];
        TracePod[] pods =
        [
            new(new Pod { Name = "mig", CpuMilli = 1000, MemoryMiB = 1024, MigProfile = "2g.35gb", MigCount = 2 }, 0, null),
            new(new Pod { Name = "replica", CpuMilli = 1000, MemoryMiB = 1024, SharedGpuReplicas = 1, GpuMemoryMiB = 4096 }, 0, null),
            new(new Pod { Name = "share", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 1, GpuMilli = 300, GpuMemoryMiB = 2048 }, 0, null),
        ];
        var clusterPath = dir.File("cluster." + extension);
        var workloadPath = dir.File("workload." + extension);

        BerthFormat.WriteCluster(clusterPath, nodes);
        BerthFormat.WriteWorkload(workloadPath, pods);
        var input = BerthFormat.Read(clusterPath, workloadPath);

        Assert.Equal(nodes.Select(Equivalence.Describe), input.Nodes.Select(Equivalence.Describe));
        Assert.Equal(nodes.Select(n => n.Sharing), input.Nodes.Select(n => n.Sharing));
        Assert.Equal(pods.Select(Equivalence.Describe), input.Pods.Select(Equivalence.Describe));
    }

    [Fact]
    public void ScenarioRead_GroupSharingAndPodSetResources_LandInTheModel()
    {
        const string text = "kind: Scenario\nname: t\ncluster:\n  nodeGroups:\n"
            + "    - {name: g, count: 2, gpus: 8, gpuModel: H100, cpu: 64, memory: 512Gi, gpuSharing: {mode: mig, migLayout: ['3g.40gb@4', 3g.40gb]}}\n"
            + "flavors:\n  - {name: f}\ncohorts:\n  - {name: org}\n"
            + "queues:\n  - name: q\n    cohort: org\n    flavors:\n      - {flavor: f, gpu: 16}\n"
            + "workloads:\n  - name: w1\n    queue: q\n    duration: 1h\n    podSets:\n      - {count: 2, cpu: 4, memory: 16Gi, resources: {nvidia.com/mig-3g.40gb: 1}}\n";

        var scenario = ScenarioReader.Read("/scenarios/mig.yaml", text);

        Assert.All(scenario.Nodes, n => Assert.Equal(GpuSharing.Mig(MigLayout.Parse(["3g.40gb@4", "3g.40gb@0"])), n.Sharing));
        var template = Assert.Single(Assert.Single(scenario.Workloads).PodSets).Template;
        Assert.Equal(("3g.40gb", 1), (template.MigProfile, template.MigCount));
    }

    [Fact]
    public void ScenarioRead_PodSetWithUnknownMigProfile_ThrowsNamingResources()
    {
        const string text = "kind: Scenario\nname: t\ncluster:\n  nodeGroups:\n"
            + "    - {name: g, count: 2, gpus: 8, gpuModel: H100, cpu: 64, memory: 512Gi}\n"
            + "flavors:\n  - {name: f}\ncohorts:\n  - {name: org}\n"
            + "queues:\n  - name: q\n    cohort: org\n    flavors:\n      - {flavor: f, gpu: 16}\n"
            + "workloads:\n  - name: w1\n    queue: q\n    duration: 1h\n    podSets:\n      - {cpu: 4, memory: 16Gi, resources: {nvidia.com/mig-9g.90gb: 1}}\n";

        var error = Assert.Throws<InputException>(() => ScenarioReader.Read("/scenarios/mig.yaml", text));

        Assert.Equal("resources", error.Field);
        Assert.Contains("unknown MIG profile '9g.90gb'", error.Message, StringComparison.Ordinal);
    }

    private static void AssertNames(InputException error, string path, BadFile bad)
    {
        Assert.Equal(path, error.File);
        Assert.Equal(bad.Line, error.Line);
        Assert.Equal(bad.Field, error.Field);
        Assert.Contains(bad.Mentions, error.Message, StringComparison.Ordinal);
    }
}
