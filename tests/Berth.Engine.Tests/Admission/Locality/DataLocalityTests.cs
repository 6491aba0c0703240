using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission.Locality;

/// <summary>
/// Data locality in admission: pods of a workload that names datasets go to nodes that cache more of its data first,
/// the placement policy choosing inside; a bounded locality wait holds it for such nodes, then lets it go anywhere.
/// </summary>
public class DataLocalityTests
{
    private static readonly DatasetRef ImageNet = new("imagenet", 150);
    private static readonly DatasetRef Coco = new("coco", 20);

    /// <summary>Four nodes of 8 GPUs, n0..n3; <paramref name="caches"/> gives each node's cached datasets.</summary>
    private static (AdmissionScheduler Scheduler, ManualTime Time) Cluster(string[][] caches, bool locality = true)
    {
        var nodes = Enumerable.Range(0, 4)
            .Select(i => Make.Node($"n{i}").Cpu(64_000).Memory(512 * 1024).Gpus(8).Build() with { CachedDatasets = caches[i] })
            .ToArray();
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("q").Gpus(32).Build()] };
        var time = new ManualTime();
        return (new AdmissionScheduler(nodes, config, new AdmissionOptions { PlacementPolicy = "bestfit", DataLocality = locality }, time), time);
    }

    private static Workload Job(string id, int pods, int gpus, DatasetRef[] datasets, double? waitSeconds = null) =>
        Make.Workload(id).In("q").Pods(pods, gpus: gpus).Build() with
        {
            Datasets = datasets,
            LocalityWait = waitSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
        };

    private static string[] NodesOf(AdmissionScheduler s, string id) =>
        s.Find(id)!.Pods.Select(p => s.Cluster.Nodes[p.Node].Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Place_NodeCachesTheDataset_PodGoesThere_WhereWithoutDatasetsItGoesToTheFirstNode()
    {
        var (plain, _) = Cluster([[], [], ["imagenet"], []]);
        plain.Submit(Job("plain", 1, 1, []));
        plain.Schedule();
        Assert.Equal(["n0"], NodesOf(plain, "plain"));

        var (local, _) = Cluster([[], [], ["imagenet"], []]);
        local.Submit(Job("local", 1, 1, [ImageNet]));
        local.Schedule();
        Assert.Equal(["n2"], NodesOf(local, "local"));
    }

    [Fact]
    public void Place_TwoNodesCacheSomeOfItsData_TheOneWithMoreGbWins()
    {
        var (s, _) = Cluster([["coco"], ["imagenet"], ["coco"], []]);
        s.Submit(Job("w", 1, 1, [ImageNet, Coco]));
        s.Schedule();
        Assert.Equal(["n1"], NodesOf(s, "w")); // 150 GB cached beats 20 GB
    }

    [Fact]
    public void Place_GangOfTwoWholeNodes_EachPodOnACachingNodeWhileOneHasRoom()
    {
        var (s, _) = Cluster([[], ["imagenet"], [], ["imagenet"]]);
        s.Submit(Job("g", 2, 8, [ImageNet]));
        s.Schedule();
        Assert.Equal(["n1", "n3"], NodesOf(s, "g"));

        var (three, _) = Cluster([[], ["imagenet"], [], []]);
        three.Submit(Job("g", 2, 8, [ImageNet]));
        three.Schedule();
        Assert.Equal(["n0", "n1"], NodesOf(three, "g")); // one caching node: one pod there, the other where the policy says
    }

    [Fact]
    public void Place_LocalityOff_DecidesAsIfItNamedNoDatasets()
    {
        var (s, _) = Cluster([[], [], ["imagenet"], []], locality: false);
        s.Submit(Job("w", 1, 1, [ImageNet], waitSeconds: 600));
        s.Schedule();
        Assert.Equal(["n0"], NodesOf(s, "w"));
    }

    [Fact]
    public void Wait_CachingNodeFull_WaitsAtMostTheBound_ThenPlacesElsewhere()
    {
        var (s, time) = Cluster([[], [], ["imagenet"], []]);
        s.Submit(Job("hog", 1, 8, [ImageNet]));
        s.Schedule();
        Assert.Equal(["n2"], NodesOf(s, "hog"));

        s.Submit(Job("w", 1, 4, [ImageNet], waitSeconds: 600));
        s.Schedule();
        var w = s.Find("w")!;
        Assert.Equal(WorkloadPhase.Pending, w.Phase);
        Assert.Contains("waits until 600s for a node that caches imagenet", w.Reason.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(600), s.NextWakeUp);

        time.Advance(599);
        s.Schedule();
        Assert.Equal(WorkloadPhase.Pending, s.Find("w")!.Phase);

        time.Advance(1);
        s.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, s.Find("w")!.Phase);
        Assert.Equal(["n0"], NodesOf(s, "w"));
    }

    [Fact]
    public void Wait_CachingNodeFreesWithinTheBound_ItGoesThere()
    {
        var (s, time) = Cluster([[], [], ["imagenet"], []]);
        s.Submit(Job("hog", 1, 8, [ImageNet]));
        s.Schedule();
        s.Submit(Job("w", 1, 4, [ImageNet], waitSeconds: 600));
        s.Schedule();
        Assert.Equal(WorkloadPhase.Pending, s.Find("w")!.Phase);

        time.Advance(300);
        s.Finish("hog");
        s.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, s.Find("w")!.Phase);
        Assert.Equal(["n2"], NodesOf(s, "w"));
    }

    [Fact]
    public void Wait_NoNodeCachesAllItsData_DoesNotWait()
    {
        var (s, _) = Cluster([["coco"], [], [], []]);
        s.Submit(Job("w", 1, 1, [ImageNet, Coco], waitSeconds: 600));
        s.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, s.Find("w")!.Phase);
        Assert.Equal(["n0"], NodesOf(s, "w"));
    }

    [Fact]
    public void Wait_HeldWorkload_DoesNotHoldBackALargerWorkloadWithoutData()
    {
        var (s, _) = Cluster([[], [], ["imagenet"], []]);
        s.Submit(Job("hog", 1, 8, [ImageNet]));
        s.Schedule();
        s.Submit(Job("w", 1, 4, [ImageNet], waitSeconds: 600));
        s.Submit(Job("other", 1, 8, []));
        s.Schedule();
        Assert.Equal(WorkloadPhase.Pending, s.Find("w")!.Phase);
        Assert.Equal(WorkloadPhase.Admitted, s.Find("other")!.Phase);
    }
}
