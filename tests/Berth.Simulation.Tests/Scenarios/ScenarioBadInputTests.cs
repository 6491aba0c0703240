using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Scenarios;

public sealed class ScenarioBadInputTests
{
    /// <summary>A broken scenario: the text, and the line, field and words the error must carry.</summary>
    public sealed record BadScenario(string Case, string Text, int Line, string Field, string Mentions)
    {
        public override string ToString() => Case;
    }

    private const string File = "/scenarios/bad.yaml";

    // Lines:          1               2         3           4
    private const string Head = "kind: Scenario\nname: t\ncluster:\n  nodeGroups:\n"
        + "    - {name: g, count: 2, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}\n" // 5
        + "flavors:\n  - {name: f}\n"                                                     // 6, 7
        + "cohorts:\n  - {name: org}\n";                                                  // 8, 9

    // Lines 10-14.
    private const string Queue = "queues:\n  - name: q\n    cohort: org\n    flavors:\n      - {flavor: f, gpu: 16}\n";

    // Line 15, 16.
    private const string Workload = "workloads:\n  - {name: w1, queue: q, duration: 1h, gpus: 8}\n";

    private static string Good => Head + Queue + Workload;

    public static TheoryData<BadScenario> Cases => new()
    {
        new("A workload naming an unknown queue is rejected", Good.Replace("queue: q,", "queue: nope,", StringComparison.Ordinal), 16, "queue", "queue 'nope', which is not declared"),
        new("A source naming an unknown queue is rejected", Good + "sources:\n  - generate: {count: 3,\n      queue: nope}\n", 19, "queue", "queue 'nope', which is not declared"),
        new("A cycle in the cohort tree is rejected", Good.Replace("  - {name: org}\n", "  - {name: org, parent: sub}\n  - {name: sub,\n     parent: org}\n", StringComparison.Ordinal), 9, "parent", "cycle (org -> sub -> org)"),
        new("A negative quota is rejected", Good.Replace("gpu: 16}", "gpu: -4}", StringComparison.Ordinal), 14, "gpu", "a quota must be 0 or more"),
        new("A negative nominal in a quota mapping is rejected", Good.Replace("{flavor: f, gpu: 16}", "{flavor: f, cpu: {nominal: -1}}", StringComparison.Ordinal), 14, "nominal", "a quota must be 0 or more"),
        new("A pod larger than every node is rejected", Good.Replace("gpus: 8}", "gpus: 16, gpusPerPod: 16}", StringComparison.Ordinal), 16, "gpus", "workload w1: a pod of pod set workers can never be placed: it needs 16 GPUs and the largest node has 8"),
        new("A workload larger than all the flavor's nodes is rejected", Good.Replace("gpus: 8}", "gpus: 24}", StringComparison.Ordinal), 16, "gpus", "workload w1 needs 24 GPU at once, more than the 16 GPU"),
        new("A pod whose memory no node has is rejected", Head + Queue + "workloads:\n  - name: w1\n    queue: q\n    podSets:\n      - {gpus: 1,\n         memory: 1Ti}\n", 20, "memory", "it needs 1024 GiB memory and the largest node has 512 GiB memory"),
        new("A spot flag that is not a boolean is rejected", Good.Replace("  - {name: f}\n", "  - {name: f, spot: maybe}\n", StringComparison.Ordinal), 7, "spot", "'maybe' is not true or false"),
        new("A toleratesSpot that is not a boolean is rejected", Good.Replace("duration: 1h,", "duration: 1h, toleratesSpot: yes,", StringComparison.Ordinal), 16, "toleratesSpot", "'yes' is not true or false"),
        new("A blank servingGroup is rejected", Good.Replace("duration: 1h,", "duration: 1h, servingGroup: ' ',", StringComparison.Ordinal), 16, "servingGroup", "leave the field out for training"),
        new("A negative spot reclaim rate is rejected", Good + "spotReclaims: {ratePerHour: -1}\n", 17, "ratePerHour", "it must be more than 0"),
        new("Spot reclaims without a rate are rejected", Good + "spotReclaims: {downtime: 5m}\n", 17, "ratePerHour", "spotReclaims needs ratePerHour"),
        new("A topology level named twice in a flavor is rejected", Good.Replace("  - {name: f}\n", "  - {name: f, topologyLevels: [block, rack, topology.berth.io/rack]}\n", StringComparison.Ordinal), 7, "topologyLevels", "a topology level is named twice; list each level once, widest first"),
        new("A pod whose GPU model no node has is rejected", Good.Replace("gpus: 8}", "gpus: 8, gpuModels: [H100]}", StringComparison.Ordinal), 16, "gpuModels", "no node has one of its GPU models H100"),
        new("A misspelt workload field is rejected with a suggestion", Good.Replace("duration: 1h", "durration: 1h", StringComparison.Ordinal), 16, "durration", "did you mean 'duration'"),
        new("A duplicate workload id is rejected", Good + "  - {name: w1, queue: q, gpus: 1}\n", 17, "name", "'w1' is used twice (first at line 16)"),
        new("An unknown profile is rejected", Good + "profiles: [fifo]\n", 17, "profiles", "unknown profile 'fifo'"),
        new("Two auto node groups are rejected", Good.Replace("cluster:\n", "cluster:\n  targetLoad: 0.8\n", StringComparison.Ordinal).Replace("count: 2", "count: auto", StringComparison.Ordinal).Replace("  nodeGroups:\n", "  nodeGroups:\n    - {name: h, count: auto, gpus: 8, gpuModel: A100, cpu: 8, memory: 8Gi}\n", StringComparison.Ordinal), 7, "count", "as is the group at line 6"),
        new("An auto group without a target load is rejected", Good.Replace("count: 2", "count: auto", StringComparison.Ordinal), 5, "count", "add 'targetLoad: 0.85'"),
        new("A lending limit above nominal is rejected at the queue", Good.Replace("gpu: 16}", "gpu: {nominal: 4, lendingLimit: 8}}", StringComparison.Ordinal), 11, "lendingLimit", "queue q, flavor f, gpu: lendingLimit 8000 is above nominal 4000"),
        new("A queue in an undeclared cohort is rejected", Good.Replace("cohort: org", "cohort: orgs", StringComparison.Ordinal), 12, "cohort", "cohort 'orgs' is not declared"),
        new("A quota for an undeclared flavor is rejected", Good.Replace("{flavor: f,", "{flavor: ff,", StringComparison.Ordinal), 11, "flavor", "flavor 'ff' is not declared"),
        new("A checkpoint interval of zero is rejected by the workload's validation", Good.Replace("duration: 1h,", "duration: 1h, checkpointInterval: 0,", StringComparison.Ordinal), 16, "checkpointInterval", "workload w1: checkpointInterval is 0"),
        new("An unknown priority class is rejected", Good.Replace("duration: 1h,", "priorityClass: vip,", StringComparison.Ordinal), 16, "priorityClass", "priority class 'vip' is not declared"),
        new("A duration without a known unit is rejected", Good.Replace("duration: 1h", "duration: 1w", StringComparison.Ordinal), 16, "duration", "'1w' is not a duration"),
        new("Memory in GB is rejected", Good.Replace("memory: 512Gi", "memory: 512GB", StringComparison.Ordinal), 5, "memory", "'512GB' is not an amount of memory"),
        new("A fractional milli-CPU is rejected", Good.Replace("cpu: 64", "cpu: 0.0005", StringComparison.Ordinal), 5, "cpu", "in whole milli-cores"),
        new("An unknown queueing strategy is rejected", Good.Replace("    cohort: org\n", "    cohort: org\n    strategy: FIFO\n", StringComparison.Ordinal), 13, "strategy", "BestEffortFIFO, StrictFIFO"),
        new("A duplicate queue is rejected", Good.Replace(Workload, "  - {name: q, flavors: [{flavor: f}]}\n" + Workload, StringComparison.Ordinal), 15, "name", "queue 'q' is declared twice (first at line 11)"),
        new("An expectation about an unknown workload is rejected", Good + "expect:\n  - {at: 0s, workload: w9, event: Admitted}\n", 18, "workload", "workload 'w9'"),
        new("An expectation with an unknown event is rejected", Good + "expect:\n  - {at: 0s, workload: w1, event: Started}\n", 18, "event", "unknown event 'Started'"),
        new("A workload that is not divisible into pods is rejected", Good.Replace("gpus: 8}", "gpus: 12}", StringComparison.Ordinal), 16, "gpus", "not a multiple of gpusPerPod 8"),
        new("An unknown placement policy is rejected", Good + "settings:\n  placementPolicy: fastest\n", 18, "placementPolicy", "placement policy 'fastest' is unknown"),
        new("A file of another kind is rejected", Good.Replace("kind: Scenario", "kind: Cluster", StringComparison.Ordinal), 1, "kind", "this is a Cluster file"),
        new("A scenario without workloads is rejected", Head + Queue, 1, "workloads", "no workloads"),
        new("A usage half-life of zero is rejected", Good + "fairSharing: {usageHalfLife: 0s}\n", 17, "usageHalfLife", "a half-life must be more than 0, so write a duration such as 2h"),
        new("A negative usage half-life is rejected", Good + "fairSharing:\n  usageHalfLife: -1h\n", 18, "usageHalfLife", "usageHalfLife is -1h; a half-life must be more than 0"),
        new("A fairSharing without a usage half-life is rejected", Good + "fairSharing: {}\n", 17, "usageHalfLife", "fairSharing has no 'usageHalfLife'; add the half-life of past usage"),
        new("An idle share above 1 is rejected", Good + "utilization: {idleShare: 1.5}\n", 17, "idleShare", "it must be at most 1"),
        new("An active mean of 1 is rejected by the model's validation", Good + "utilization:\n  activeMean: 1\n", 18, "activeMean", "more than 0 and less than 1"),
        new("A misspelt utilization field is rejected with a suggestion", Good + "utilization: {activemean: 0.5}\n", 17, "activemean", "did you mean 'activeMean'"),
        new("A workload's GPU activity above 1 is rejected", Good.Replace("duration: 1h,", "duration: 1h, gpuActivity: 2,", StringComparison.Ordinal), 16, "gpuActivity", "it must be at most 1"),
        new("A topology mapping naming no level is rejected", Head + Queue + "workloads:\n  - {name: w1, queue: q, podSets: [{count: 2, gpus: 8, topology: {}}]}\n", 16, "preferred", "topology names no level"),
        new("A topology level named twice is rejected", Head + Queue + "workloads:\n  - {name: w1, queue: q, podSets: [{count: 2, gpus: 8, topology: {required: rack, preferred: [nvlink, rack]}}]}\n", 16, "preferred", "named twice"),
        new("A misspelt topology field is rejected with a suggestion", Head + Queue + "workloads:\n  - {name: w1, queue: q, podSets: [{count: 2, gpus: 8, topology: {prefered: rack}}]}\n", 16, "prefered", "did you mean 'preferred'"),
        new("NVLink islands that do not divide the GPUs are rejected", Good.Replace("gpus: 8, gpuModel: A100", "gpus: 8, nvlinkIslandSize: 3, gpuModel: A100", StringComparison.Ordinal), 5, "nvlinkIslandSize", "do not split into NVLink islands of 3"),
        new("A topology with islands for fewer GPUs than the node has is rejected", Good.Replace("gpus: 8, gpuModel: A100", "gpus: 8, topology: {islands: [0, 0, 1, 1]}, gpuModel: A100", StringComparison.Ordinal), 5, "islands", "lists 4 GPUs but the node has 8"),
        new("A GPU on a NUMA node the topology does not list is rejected", Good.Replace("gpus: 8, gpuModel: A100", "gpus: 8, topology: {gpuNuma: [0, 0, 0, 0, 1, 1, 1, 1]}, gpuModel: A100", StringComparison.Ordinal), 5, "topology", "NUMA node 1, but the node has NUMA nodes 0 to 0"),
        new("An unknown topology policy is rejected", Good.Replace("gpus: 8, gpuModel: A100", "gpus: 8, topology: {policy: restricted}, gpuModel: A100", StringComparison.Ordinal), 5, "policy", "use one of none, best-effort, single-numa-node"),
        new("A topology together with nvlinkIslandSize is rejected", Good.Replace("gpus: 8, gpuModel: A100", "gpus: 8, nvlinkIslandSize: 4, topology: {}, gpuModel: A100", StringComparison.Ordinal), 5, "nvlinkIslandSize", "remove nvlinkIslandSize"),
        new("A device quota of an unknown MIG profile is rejected", Good.Replace("{flavor: f, gpu: 16}", "{flavor: f, gpu: 16, devices: {nvidia.com/mig-9g.99gb: 2}}", StringComparison.Ordinal), 14, "devices", "not a device resource"),
        new("A device quota that is not a number is rejected", Good.Replace("{flavor: f, gpu: 16}", "{flavor: f, gpu: 16, devices: {nvidia.com/gpu.shared: many}}", StringComparison.Ordinal), 14, "devices", "'many' is not an amount"),
        new("A negative GPU-hour price is rejected", Good + "prices:\n  currency: EUR\n  gpuHour:\n    - {model: A100, price: -1}\n", 20, "price", "at least 0"),
        new("A GPU model priced twice is rejected", Good + "prices:\n  gpuHour:\n    - {model: A100, price: 2}\n    - {model: A100, price: 3}\n", 20, "model", "priced twice"),
        new("A misspelt price field is rejected with a suggestion", Good + "prices: {gpuHour: [{model: A100, prise: 2}]}\n", 17, "prise", "did you mean 'price'"),
        new("A misspelt fairSharing field is rejected with a suggestion", Good + "fairSharing: {usageHalflife: 2h}\n", 17, "usageHalflife", "did you mean 'usageHalfLife'"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Read_BadScenario_NamesFileLineAndField(BadScenario bad)
    {
        Assert.NotNull(ScenarioReader.Read(File, Good));

        var e = Assert.Throws<InputException>(() => ScenarioReader.Read(File, bad.Text));

        Assert.Equal(File, e.File);
        Assert.Equal((bad.Line, bad.Field), (e.Line, e.Field));
        Assert.Contains(bad.Mentions, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{File}:{bad.Line}: field '{bad.Field}': ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Prices_GiveThePriceOfAGpuHourPerModel()
    {
        var scenario = ScenarioReader.Read(File, Good + "prices:\n  currency: EUR\n  gpuHour:\n    - {model: A100, price: 2.5}\n    - {model: H100, price: 4}\n");
        Assert.Equal("EUR", scenario.Prices!.Currency);
        Assert.Equal((2.5, 4.0, (double?)null), (scenario.Prices.Price("A100")!.Value, scenario.Prices.Price("H100")!.Value, scenario.Prices.Price("L4")));
        Assert.Null(ScenarioReader.Read(File, Good).Prices);
    }

    [Fact]
    public void Read_TopologyMapping_GivesRequiredAndPreferredLevelsNarrowestFirst()
    {
        var scenario = ScenarioReader.Read(File, Head + Queue + "workloads:\n  - {name: w1, queue: q, podSets: [{count: 2, gpus: 8, topology: {required: zone, preferred: [nvlink, rack]}}]}\n");
        var set = scenario.Workloads.Single().PodSets.Single();
        Assert.Equal(Model.TopologyKeys.Zone, set.TopologyKey);
        Assert.Equal([Model.TopologyKeys.NvlinkDomain, Model.TopologyKeys.Rack], set.PreferredTopology);
        var one = ScenarioReader.Read(File, Head + Queue + "workloads:\n  - {name: w1, queue: q, podSets: [{count: 2, gpus: 8, topology: {preferred: rack}}]}\n");
        Assert.Null(one.Workloads.Single().PodSets.Single().TopologyKey);
        Assert.Equal([Model.TopologyKeys.Rack], one.Workloads.Single().PodSets.Single().PreferredTopology);
    }

    [Fact]
    public void Read_FlavorTopologyLevels_AreLabelKeysWidestFirst()
    {
        var scenario = ScenarioReader.Read(File, Good.Replace("  - {name: f}\n", "  - {name: f, topologyLevels: [block, rack, hostname]}\n", StringComparison.Ordinal));
        Assert.Equal([Model.TopologyKeys.Block, Model.TopologyKeys.Rack, Model.TopologyKeys.Hostname], scenario.Queues.Flavors.Single().TopologyLevels);
        Assert.Empty(ScenarioReader.Read(File, Good).Queues.Flavors.Single().TopologyLevels);
    }

    [Fact]
    public void Read_ItpSourceWithUnknownQueue_NamesTheSourceQueueField()
    {
        using var dir = new Formats.TempDir();
        dir.Write("c7.csv", "job_id,submission_time,duration,num_gpu\nj1,0,60,1\n");
        var path = dir.Write("s.yaml", Good + "sources:\n  - itp: {dir: ., files: [c7.csv],\n          queue: \"{file}\"}\n");

        var e = Assert.Throws<InputException>(() => ScenarioReader.Read(path));

        Assert.Equal((path, 19, "queue"), (e.File, e.Line, e.Field));
        Assert.Contains("workload c7/j1 is submitted to queue 'c7', which is not declared", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ItpJobLargerThanTheCluster_NamesTheTraceFileLineAndColumn()
    {
        using var dir = new Formats.TempDir();
        var csv = dir.Write("c1.csv", "job_id,submission_time,duration,num_gpu\nj1,0,60,8\nj2,5,60,32\n");
        var path = dir.Write("s.yaml", Good + "sources:\n  - itp: {dir: ., queue: q}\n");

        var e = Assert.Throws<InputException>(() => ScenarioReader.Read(path));

        Assert.Equal((csv, 3, "num_gpu"), (e.File, e.Line, e.Field));
        Assert.Contains("workload c1/j2 needs 32 GPU at once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingItpFile_NamesTheFilesField()
    {
        using var dir = new Formats.TempDir();
        var path = dir.Write("s.yaml", Good + "sources:\n  - itp: {dir: ., queue: q,\n          files: [nope.csv]}\n");

        var e = Assert.Throws<InputException>(() => ScenarioReader.Read(path));

        Assert.Equal((path, 19, "files"), (e.File, e.Line, e.Field));
        Assert.Contains("nope.csv not found", e.Message, StringComparison.Ordinal);
    }
}
