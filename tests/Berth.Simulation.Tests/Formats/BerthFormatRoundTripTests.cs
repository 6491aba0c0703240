using Berth.Model;
using Berth.Simulation.Formats;
using Berth.Simulation.Input;
using Berth.TestKit;

namespace Berth.Simulation.Tests.Formats;

public sealed class BerthFormatRoundTripTests
{
    private static Node[] SampleNodes() =>
    [
        Make.Node("a100-0000").Cpu(96_000).Memory(786_432).Gpus(8, "A100")
            .Label(TopologyKeys.Rack, "rack-0").Label("team", "true").Label("empty", string.Empty)
            .Taint("dedicated", "training").Taint("maintenance", effect: TaintEffect.NoExecute).Build() with { GpuMemoryMiB = 80 * 1024 },
        Make.Node("t4 node #1").Cpu(16_000).Memory(65_536).Gpus(2, "T4").Build() with { GpuMemoryMiB = 12_345 },
        Make.Node("mi300-0").Cpu(128_000).Memory(1_048_576).Gpus(8, "MI300X").Label("zone", "0001").Build() with { GpuMemoryMiB = 196_608 },
        Make.Node("cpu-0").Cpu(64_000).Memory(262_144).Taint("soft", "x", TaintEffect.PreferNoSchedule).Build(),
    ];

    private static TracePod[] SamplePods() =>
    [
        new(Make.Pod("share").Cpu(4_000).Memory(16_384).GpuShare(460).Models("A100", "MI300X").Priority(-5).Build(), 0, 3_600),
        new(Make.Pod("whole").Cpu(8_000).Memory(32_768).Gpus(1).Selector("team", "true").Selector("yes", "no").Build(), 10, null),
        new(Make.Pod("multi").Cpu(32_000).Memory(131_072).Gpus(8).Tolerate("dedicated", "training", TaintEffect.NoSchedule).Tolerate("maintenance").Priority(100).Build(), null, null),
        new(Make.Pod("cpu").Cpu(500).Memory(512).Build() with
        {
            Tolerations = [new Toleration(null, TolerationOperator.Exists, null, null), new Toleration("k", TolerationOperator.Equal, string.Empty, TaintEffect.NoExecute)],
        }, 5, 5),
    ];

    public static TheoryData<string> Extensions => new() { ".yaml", ".yml", ".json" };

    [Theory]
    [MemberData(nameof(Extensions))]
    public void WriteThenRead_ClusterAndWorkload_PreservesEveryField(string extension)
    {
        using var dir = new TempDir();
        var clusterPath = dir.File("cluster" + extension);
        var workloadPath = dir.File("my-workload" + extension);
        var nodes = SampleNodes();
        var pods = SamplePods();

        BerthFormat.WriteCluster(clusterPath, nodes);
        BerthFormat.WriteWorkload(workloadPath, pods);
        var input = BerthFormat.Read(clusterPath, workloadPath);

        Assert.Equal("my-workload", input.Name);
        Assert.Equal(nodes.Select(Equivalence.Describe), input.Nodes.Select(Equivalence.Describe));
        Assert.Equal(pods.Select(Equivalence.Describe), input.Pods.Select(Equivalence.Describe));
    }

    [Fact]
    public void WriteCluster_SameNodesTwice_WritesIdenticalBytes()
    {
        using var dir = new TempDir();
        BerthFormat.WriteCluster(dir.File("a.yaml"), SampleNodes());
        BerthFormat.WriteCluster(dir.File("b.yaml"), SampleNodes());

        Assert.Equal(File.ReadAllText(dir.File("a.yaml")), File.ReadAllText(dir.File("b.yaml")));
    }

    [Fact]
    public void ReadCluster_CustomGpuModel_AddsItToTheCatalog()
    {
        using var dir = new TempDir();
        var path = dir.File("cluster.yaml");
        BerthFormat.WriteCluster(path, SampleNodes());

        var cluster = BerthFormat.ReadCluster(path);

        Assert.True(cluster.Catalog.TryGet("MI300X", out var info));
        Assert.Equal(196_608, info.MemoryMiB);
        Assert.True(cluster.Catalog.Contains("H100"));
    }

    [Fact]
    public void ReadCluster_NodeGroup_ExpandsNamesAndTopologyLabels()
    {
        using var dir = new TempDir();
        var path = dir.Write("cluster.yaml", """
            kind: Cluster
            nodes:
              - count: 10
                namePrefix: h100
                cpuMilli: 96000
                memoryMiB: 786432
                gpus: 8
                gpuModel: H100
                rackSize: 4
                nvlinkDomainSize: 2
                labels: {pool: train}
                taints: [{key: gpu, effect: NoSchedule}]
              - name: login
                cpuMilli: 8000
                memoryMiB: 16384
            """);

        var nodes = BerthFormat.ReadCluster(path).Nodes;

        Assert.Equal(11, nodes.Count);
        Assert.Equal("h100-0000", nodes[0].Name);
        Assert.Equal("h100-0009", nodes[9].Name);
        Assert.Equal("login", nodes[10].Name);
        Assert.Equal(["h100-rack-0000", "h100-rack-0000", "h100-rack-0000", "h100-rack-0000", "h100-rack-0001"], nodes.Take(5).Select(n => n.Labels[TopologyKeys.Rack]));
        Assert.Equal("h100-rack-0002", nodes[9].Labels[TopologyKeys.Rack]);
        Assert.Equal(["h100-nvl-0000", "h100-nvl-0000", "h100-nvl-0001"], nodes.Take(3).Select(n => n.Labels[TopologyKeys.NvlinkDomain]));
        Assert.All(nodes.Take(10), n => Assert.Equal("train", n.Labels["pool"]));
        Assert.All(nodes.Take(10), n => Assert.Equal(new Taint("gpu", null, TaintEffect.NoSchedule), Assert.Single(n.Taints)));
        Assert.Equal(80 * 1024, nodes[0].GpuMemoryMiB);
        Assert.Equal(0, nodes[10].GpuCount);
        Assert.Null(nodes[10].GpuModel);
    }

    [Fact]
    public void ReadWorkload_CountAndDefaults_RepeatsPodsWithSuffixes()
    {
        using var dir = new TempDir();
        var path = dir.Write("work.yaml", """
            kind: Workload
            pods:
              - name: infer
                count: 3
                cpuMilli: 2000
                memoryMiB: 4096
                gpus: 1
                creationTime: 60
              - name: train
                cpuMilli: 8000
                memoryMiB: 8192
                gpus: 4
            """);

        var pods = BerthFormat.ReadWorkload(path);

        Assert.Equal(["infer-0000", "infer-0001", "infer-0002", "train"], pods.Select(p => p.Pod.Name));
        Assert.All(pods, p => Assert.Equal(1000, p.Pod.GpuMilli));
        Assert.All(pods.Take(3), p => Assert.Equal(60, p.CreationTime));
        Assert.Null(pods[3].CreationTime);
        Assert.Null(pods[3].DeletionTime);
        Assert.All(pods, p => p.Pod.Validate());
    }

    [Fact]
    public void ReadWorkload_JsonWithTabs_Reads()
    {
        using var dir = new TempDir();
        var path = dir.Write("work.json", "{\n\t\"kind\": \"Workload\",\n\t\"pods\": [\n\t\t{\"name\": \"a\", \"cpuMilli\": 1, \"memoryMiB\": 2, \"gpus\": 1, \"gpuMilli\": 250}\n\t]\n}\n");

        var pod = Assert.Single(BerthFormat.ReadWorkload(path)).Pod;

        Assert.Equal(250, pod.GpuMilli);
        Assert.True(pod.IsSharing);
    }
}
