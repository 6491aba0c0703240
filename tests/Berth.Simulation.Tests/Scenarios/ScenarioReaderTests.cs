using System.Text.RegularExpressions;
using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Formats;

namespace Berth.Simulation.Tests.Scenarios;

/// <summary>The complete example of docs/FORMATS.md, read with its trace files, field by field.</summary>
public sealed class ScenarioReaderTests
{
    private const string ItpCsv = "job_id,submission_time,duration,num_gpu\nj1,0,3600,8\nj2,1800,1800,16\nj3,3600,600,1\n";

    private const string OpenbCsv = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
        + "p1,4000,8192,1,500,,LS,Running,100,700,100\n"
        + "p2,8000,16384,2,1000,A100,BE,Running,200,,200\n";

    private static Scenario ReadExample(TempDir dir)
    {
        var doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "FORMATS.md"));
        var example = Assert.Single(Regex.Matches(doc, "```yaml scenario\\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value));
        Directory.CreateDirectory(dir.File("traces"));
        dir.Write("traces/cluster01.csv", ItpCsv);
        dir.Write("traces/pods.csv", OpenbCsv);
        return ScenarioReader.Read(dir.Write("example.yaml", example));
    }

    [Fact]
    public void Read_DocExample_MapsTopLevelAndSettings()
    {
        using var dir = new TempDir();
        var s = ReadExample(dir);

        Assert.Equal("example", s.Name);
        Assert.Equal(dir.File("example.yaml"), s.File);
        Assert.Equal("two teams in one cohort tree; every field shown", s.Description);
        Assert.Equal(["strict-fifo", "fair-share+backfill+preemption", "kai-order"], s.Profiles);
        var own = Assert.Single(s.OwnProfiles);
        Assert.Equal(("kai-order", CandidateOrder.FairShare, (QueueingStrategy?)QueueingStrategy.BestEffortFifo), (own.Name, own.Order, own.StrategyOverride));
        Assert.Equal(["allocate", "backfill", "reclaim", "consolidate", "preempt"], own.Actions);
        Assert.Equal(new AdmissionOptions
        {
            PlacementPolicy = "fgd",
            StarvationThreshold = TimeSpan.FromMinutes(10),
            GangReadyTimeout = TimeSpan.FromMinutes(5),
            BackoffBase = TimeSpan.FromMinutes(1),
            BackoffLimit = 3,
            Seed = 42,
        }, s.Options);
        Assert.Equal(TimeSpan.FromDays(30), s.Horizon);
    }

    [Fact]
    public void Read_DocExample_MapsClusterAndAutoSizesIt()
    {
        using var dir = new TempDir();
        var s = ReadExample(dir);

        Assert.Equal(2, s.NodeGroups.Count);
        var a100 = s.NodeGroups[0];
        Assert.Equal(("a100", 8, "A100", 96_000L, 1024L * 1024), (a100.Name, a100.GpusPerNode, a100.GpuModel, a100.CpuMilli, a100.MemoryMiB));
        Assert.Equal("a100", a100.Labels["pool"]);
        Assert.True(a100.Count > 0);
        var t4 = s.NodeGroups[1];
        Assert.Equal(("t4", 4, 4, 48_000L, 256L * 1024), (t4.Name, t4.Count, t4.GpusPerNode, t4.CpuMilli, t4.MemoryMiB));
        Assert.Equal([new Taint("spot", "true", TaintEffect.NoSchedule)], t4.Taints);
        Assert.Equal(a100.Count + 4, s.Nodes.Count);
        Assert.Equal("a100-0", s.Nodes[0].Name);
        Assert.Equal("t4-3", s.Nodes[^1].Name);
        Assert.StartsWith($"cluster: {a100.Count} nodes of 8 GPUs (node group a100)", s.Notes[0], StringComparison.Ordinal);
        Assert.Equal(3, s.Notes.Count);
    }

    [Fact]
    public void Read_DocExample_MapsFlavorsCohortsClassesAndQueues()
    {
        using var dir = new TempDir();
        var q = ReadExample(dir).Queues;

        Assert.Equal(["a100", "spot"], q.Flavors.Select(f => f.Name));
        Assert.Equal([new Toleration("spot", TolerationOperator.Exists, null, TaintEffect.NoSchedule)], q.Flavors[1].Tolerations);
        Assert.Equal("spot", q.Flavors[1].NodeLabels["pool"]);
        Assert.Equal([("org", (string?)null, 1.0), ("research", "org", 2.0)], q.Cohorts.Select(c => (c.Name, c.Parent, c.Weight)));
        Assert.Equal([new FlavorQuota("spot") { Gpu = new ResourceQuota(8000) }], q.Cohorts[1].Quotas);
        Assert.Equal([new PriorityClass("high", 1000) { Preemptible = false }], q.PriorityClasses);
        Assert.Equal(TimeSpan.FromHours(2), q.UsageHalfLife);

        var a = q.Queues[0];
        Assert.Equal(("team-a", "org", 1.0, QueueingStrategy.StrictFifo, StopPolicy.None, TimeSpan.FromMinutes(10)), (a.Name, a.Cohort, a.Weight, a.Strategy, a.Stop, a.MinRuntime));
        Assert.Equal(new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority, Reclaim = ReclaimPolicy.Any, FairShare = true }, a.Preemption);
        Assert.Equal(new FlavorFungibility { BorrowBeforeNextFlavor = true }, a.Fungibility);
        var quota = Assert.Single(a.Flavors);
        Assert.Equal(8000, quota.Gpu!.BorrowingLimit);
        Assert.Equal(new ResourceQuota(256_000, null, 64_000), quota.Cpu);
        Assert.Equal(new ResourceQuota(2L * 1024 * 1024), quota.Memory);

        var b = q.Queues[1];
        Assert.Equal(("team-b", "research", QueueingStrategy.BestEffortFifo, StopPolicy.Hold), (b.Name, b.Cohort, b.Strategy, b.Stop));
        Assert.Equal(QueuePreemption.None, b.Preemption);
        Assert.Equal(new ResourceQuota(8000, 0, 4000), b.Flavors[1].Gpu);

        // The auto quotas split the A100 GPUs: whole GPUs, summing to the capacity.
        var capacity = ReadExample(dir).NodeGroups[0].Count * 8 * 1000L;
        Assert.Equal(capacity, a.Flavors[0].Gpu!.Nominal + b.Flavors[0].Gpu!.Nominal);
        Assert.Equal(0, a.Flavors[0].Gpu!.Nominal % 1000);
    }

    [Fact]
    public void Read_DocExample_MapsInlineWorkloads()
    {
        using var dir = new TempDir();
        var w = ReadExample(dir).Workloads.ToDictionary(x => x.Id);

        var train = w["train-7b"];
        Assert.Equal(("team-a", TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromMinutes(90)), (train.Queue, train.SubmitTime, train.Duration, train.ExpectedRunTime));
        Assert.Equal((TimeSpan.FromHours(2), TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(30)), (train.MaxRunTime, train.CheckpointInterval, train.StartupTime));
        Assert.Equal((1000, false), (train.Priority, train.Preemptible));
        Assert.Equal(["launcher", "workers"], train.PodSets.Select(p => p.Name));
        var launcher = train.PodSets[0];
        Assert.Equal((1, 1, 2000L, 4096L, 0, 0), (launcher.Count, launcher.MinCount, launcher.Template.CpuMilli, launcher.Template.MemoryMiB, launcher.Template.GpuCount, launcher.Template.GpuMilli));
        var workers = train.PodSets[1];
        Assert.Equal((4, 2, 1, 1000, 4000L, 16_384L), (workers.Count, workers.MinCount, workers.Template.GpuCount, workers.Template.GpuMilli, workers.Template.CpuMilli, workers.Template.MemoryMiB));
        Assert.Equal(["A100"], workers.Template.AllowedGpuModels);
        Assert.Equal("a100", workers.Template.NodeSelector["pool"]);

        var notebook = w["notebook"];
        Assert.Equal((10, true, TimeSpan.FromSeconds(5), TimeSpan.FromHours(2)), (notebook.Priority, notebook.Preemptible, notebook.SubmitTime, notebook.ExpectedRunTime));
        var pod = Assert.Single(notebook.PodSets);
        Assert.Equal(("workers", 1, 500, 500L, 512L), (pod.Name, pod.Template.GpuCount, pod.Template.GpuMilli, pod.Template.CpuMilli, pod.Template.MemoryMiB));
        Assert.Equal([new Toleration("spot", TolerationOperator.Exists, null, null)], pod.Template.Tolerations);

        var sweep = Assert.Single(w["sweep"].PodSets);
        Assert.Equal(("workers", 2, 8, 64_000L, 8L * 65_536), (sweep.Name, sweep.Count, sweep.Template.GpuCount, sweep.Template.CpuMilli, sweep.Template.MemoryMiB));
    }

    [Fact]
    public void Read_DocExample_MapsSourcesAndExpectations()
    {
        using var dir = new TempDir();
        var s = ReadExample(dir);
        var w = s.Workloads.ToDictionary(x => x.Id);

        Assert.Equal(3 + 3 + 2 + 20, s.Workloads.Count);
        var j2 = w["cluster01/j2"];
        Assert.Equal(("team-a", TimeSpan.FromSeconds(1800), TimeSpan.FromSeconds(1800), TimeSpan.FromSeconds(2700)), (j2.Queue, j2.SubmitTime, j2.Duration, j2.ExpectedRunTime));
        var set = Assert.Single(j2.PodSets);
        Assert.Equal(("workers", 2, 8, 64_000L, 8L * 65_536), (set.Name, set.Count, set.Template.GpuCount, set.Template.CpuMilli, set.Template.MemoryMiB));

        var p1 = w["pods/p1"];
        Assert.Equal(("team-b", TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(600)), (p1.Queue, p1.SubmitTime, p1.Duration));
        Assert.Equal((1, 500, 4000L), (p1.PodSets[0].Template.GpuCount, p1.PodSets[0].Template.GpuMilli, p1.PodSets[0].Template.CpuMilli));
        Assert.Null(w["pods/p2"].Duration);
        Assert.Equal(["A100"], w["pods/p2"].PodSets[0].Template.AllowedGpuModels);

        var generated = s.Workloads.Where(x => x.Id.StartsWith("gen-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(20, generated.Length);
        Assert.All(generated, g => Assert.True(g.SubmitTime >= TimeSpan.FromMinutes(10) && g.Duration <= TimeSpan.FromDays(1) && g.Priority is 0 or 100));
        Assert.All(generated, g => Assert.True(g.PodSets[0].Template.GpuCount is 1 or 8 && g.PodSets[0].Template.AllowedGpuModels.SequenceEqual(["A100"])));

        Assert.Equal(
            [
                new ExpectedEvent(TimeSpan.Zero, "train-7b", "Admitted") { Flavor = "a100", Pods = 5, Line = 103 },
                new ExpectedEvent(TimeSpan.FromSeconds(5), "notebook", "Pending") { Reason = "QuotaExceeded", Line = 104 },
            ],
            s.Expectations);
    }

    [Fact]
    public void Read_Workloads_AreOrderedBySubmitTimeThenId()
    {
        using var dir = new TempDir();
        var s = ReadExample(dir);

        var expected = s.Workloads.OrderBy(w => w.SubmitTime).ThenBy(w => w.Id, StringComparer.Ordinal).Select(w => w.Id);
        Assert.Equal(expected, s.Workloads.Select(w => w.Id));
        Assert.Equal(["cluster01/j1", "train-7b"], s.Workloads.Take(2).Select(w => w.Id));
    }

    [Fact]
    public void Read_ShorthandAndPriorityClass_SetDefaults()
    {
        const string text = "kind: Scenario\nname: t\ncluster:\n  nodeGroups:\n    - {name: g, count: 1, gpus: 8, gpuModel: A100, cpu: 8, memory: 8Gi}\n"
            + "flavors: [{name: f}]\npriorityClasses: [{name: low, value: -5}]\nqueues: [{name: q, flavors: [{flavor: f}]}]\n"
            + "workloads:\n  - {name: a, queue: q, gpus: 3, priorityClass: low, preemptible: false}\n  - {name: b, queue: q, submit: 90, gpus: 1}\n";

        var s = ScenarioReader.Read("/x/t.yaml", text);

        var a = s.Workloads[0];
        Assert.Equal((-5, false, TimeSpan.Zero, (TimeSpan?)null, (TimeSpan?)null), (a.Priority, a.Preemptible, a.SubmitTime, a.Duration, a.ExpectedRunTime));
        Assert.Equal((1, 3, 0L), (a.PodSets[0].Count, a.PodSets[0].Template.GpuCount, a.PodSets[0].Template.CpuMilli));
        Assert.Equal((0, true, TimeSpan.FromSeconds(90)), (s.Workloads[1].Priority, s.Workloads[1].Preemptible, s.Workloads[1].SubmitTime));
        Assert.Same(AdmissionOptions.Default, s.Options);
        Assert.Null(s.Horizon);
        Assert.Empty(s.Profiles);
        Assert.Null(s.Queues.Queues[0].Flavors[0].Gpu);
    }
}
