using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.View;
using Berth.Simulation.Generation;
using Berth.Simulation.Input;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Scenarios;

namespace Berth.Simulation.Tests.Jobs;

/// <summary>
/// Data locality in the replay: data moved is the size of each dataset a pod needs that its node did not cache, and
/// its stage-in (size over the stated bandwidth) delays the work and so the completion time.
/// </summary>
public class DataLocalityReplayTests
{
    /// <summary>Node plain-0 (first in index order) caches nothing, cache-0 caches imagenet; 8 GPUs each; 1.5 GB/s stage-in.</summary>
    private const string Cluster = """
        kind: Scenario
        name: t
        settings: {placementPolicy: bestfit, stageInGbPerSecond: 1.5}
        cluster:
          nodeGroups:
            - {name: plain, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
            - {name: cache, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi, datasets: [imagenet]}
        flavors:
          - {name: default}
        queues:
          - name: q
            flavors: [{flavor: default, gpu: {nominal: 16}}]
        """;

    private static Scenario Read(string yaml) => ScenarioReader.Read(Path.Combine(Path.GetTempPath(), "inline.yaml"), yaml);

    private static JobRecord Job(JobRunResult result, string id) => result.Jobs.Single(j => j.Id == id);

    [Fact]
    public void Stage_TwoPodsOnACachingAndAPlainNode_CountsEachMissingDatasetPerPod()
    {
        Node N(string name, params string[] cached) => new() { Name = name, CpuMilli = 1000, MemoryMiB = 1024, CachedDatasets = cached };
        var staging = new DataStaging([N("a", "imagenet"), N("b")], gbPerSecond: 1.25);
        var workload = new Workload("w") { Queue = "q", Datasets = [new DatasetRef("imagenet", 150), new DatasetRef("coco", 20)] };

        var (moved, seconds) = staging.Stage(workload, [new PlannedPlacement(0, "a", 1, 1000), new PlannedPlacement(0, "b", 1, 1000)]);

        Assert.Equal(20 + 170, moved); // a lacks coco; b lacks both
        Assert.Equal(136, seconds); // b's 170 GB at 1.25 GB/s = 136 s; a's 16 s run in parallel
        Assert.Equal((0.0, 0L), staging.Stage(workload with { Datasets = [] }, [new PlannedPlacement(0, "b", 1, 1000)]));
    }

    [Fact]
    public void Run_OneJobReadingACachedDataset_AwareMovesNothing_BlindFetchesItAndEndsLater()
    {
        var aware = Read(Cluster + """

            workloads:
              - {name: j, queue: q, duration: 1000s, gpus: 8, datasets: [{name: imagenet, sizeGb: 150}]}
            """);
        var blind = aware with { Options = aware.Options with { DataLocality = false } };

        var a = JobReplay.Run(aware, "besteffort-fifo");
        var b = JobReplay.Run(blind, "besteffort-fifo");

        Assert.Equal(0, a.Overall.DataMovedGb);
        Assert.Equal(TimeSpan.FromSeconds(1000), Job(a, "j").Jct);
        Assert.Equal(150, b.Overall.DataMovedGb);
        Assert.Equal(150, Job(b, "j").DataMovedGb);
        Assert.Equal(TimeSpan.FromSeconds(1100), Job(b, "j").Jct); // 150 GB at 1.5 GB/s = 100 s before the work starts
        Assert.Equal(1100, b.Overall.P50Jct);
    }

    [Theory]
    [InlineData("no wait: the plain node at once, 100 s stage-in", "", 0, 150, 1100)]
    [InlineData("a wait longer than the hog: the cached node when the hog ends", ", localityWait: 10m", 500, 0, 1500)]
    [InlineData("a wait shorter than the hog: the plain node when the wait ends", ", localityWait: 300s", 300, 150, 1400)]
    public void Run_CachingNodeBusy_WaitDecidesBetweenWaitingAndFetching(string @case, string wait, double start, double moved, double jct)
    {
        var scenario = Read(Cluster + $$"""

            workloads:
              - {name: hog, queue: q, duration: 500s, gpus: 8, datasets: [{name: imagenet, sizeGb: 150}]}
              - {name: w, queue: q, submit: 0s, duration: 1000s, gpus: 8, datasets: [{name: imagenet, sizeGb: 150}]{{wait}}}
            """);

        var result = JobReplay.Run(scenario, "besteffort-fifo");
        var w = Job(result, "w");

        Assert.True(Job(result, "hog").DataMovedGb == 0, "the hog takes the caching node first");
        Assert.Equal(TimeSpan.FromSeconds(start), w.FirstStart);
        Assert.True(w.DataMovedGb == moved, @case);
        Assert.Equal(TimeSpan.FromSeconds(jct), w.Jct);
    }

    [Fact]
    public void Read_DatasetWithoutSize_IsRejectedNamingTheFieldAndTheFix()
    {
        var e = Assert.Throws<InputException>(() => Read(Cluster + """

            workloads:
              - {name: j, queue: q, duration: 1000s, gpus: 8, datasets: [{name: imagenet}]}
            """));

        Assert.Equal("sizeGb", e.Field);
        Assert.Contains("dataset imagenet of workload j has no size; add its size in GB, e.g. 'sizeGb: 150'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NodeGroupDatasets_EveryNodeOfTheGroupCachesThem()
    {
        var scenario = Read(Cluster + """

            workloads:
              - {name: j, queue: q, duration: 1000s, gpus: 8, datasets: [{name: imagenet, sizeGb: 150}], localityWait: 5m}
            """);

        Assert.Equal(["imagenet"], scenario.Nodes.Single(n => n.Name == "cache-0").CachedDatasets);
        Assert.Empty(scenario.Nodes.Single(n => n.Name == "plain-0").CachedDatasets);
        Assert.Equal(TimeSpan.FromMinutes(5), scenario.Workloads[0].LocalityWait);
        Assert.Equal(1.5, scenario.StageInGbPerSecond);
    }

    [Fact]
    public void Catalog_SameSeed_SameDatasetsAndCaches_AndPopularDatasetsDominate()
    {
        var options = new DatasetCatalogOptions { Count = 20, Seed = 3 };
        var nodes = Enumerable.Range(0, 200).Select(i => new Node { Name = $"n{i}", CpuMilli = 1, MemoryMiB = 1 }).ToArray();
        var a = new DatasetCatalog(options).Cache(nodes);
        var b = new DatasetCatalog(options).Cache(nodes);
        Assert.Equal(a.Select(n => string.Join(',', n.CachedDatasets)), b.Select(n => string.Join(',', n.CachedDatasets)));
        Assert.All(a, n => Assert.Equal(3, n.CachedDatasets.Distinct().Count()));

        var counts = a.SelectMany(n => n.CachedDatasets).GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(counts["ds-00"] > counts.GetValueOrDefault("ds-19"), "rank 1 is cached more often than rank 20 under Zipf");
    }

    [Fact]
    public void Compare_TheLocalityScenario_AwareMovesLessDataThanBlind_AndEveryRunCompletesTheSameJobs()
    {
        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "data-locality.yaml"));
        scenario = scenario with { Workloads = scenario.Workloads.Take(200).ToArray() };

        var rows = LocalityComparison.Run(scenario, "besteffort-fifo", new DatasetCatalogOptions { Seed = 1 }, TimeSpan.FromMinutes(10));

        Assert.Equal(["locality-blind", "locality-aware", "aware, wait 10 min"], rows.Select(r => r.Placement));
        Assert.All(rows, r => Assert.Equal(200, r.Completed));
        Assert.True(rows[1].DataMovedGb < rows[0].DataMovedGb, $"aware {rows[1].DataMovedGb} GB, blind {rows[0].DataMovedGb} GB");
        Assert.True(rows[0].DataMovedGb > 0, "blind placement fetches data");
    }
}
