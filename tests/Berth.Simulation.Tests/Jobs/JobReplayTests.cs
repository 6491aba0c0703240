using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Scenarios;

namespace Berth.Simulation.Tests.Jobs;

public class JobReplayTests
{
    private static Scenario Read(string yaml) => ScenarioReader.Read(Path.Combine(Path.GetTempPath(), "inline.yaml"), yaml);

    /// <summary>One 8-GPU node, queue q (8 GPUs, preemption within the queue by priority), priority class high.</summary>
    internal const string Cluster = """
        kind: Scenario
        name: t
        settings: {placementPolicy: bestfit}
        cluster:
          nodeGroups:
            - {name: n, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: default}
        priorityClasses:
          - {name: high, value: 100}
        queues:
          - name: q
            preemption: {withinQueue: LowerPriority}
            flavors: [{flavor: default, gpu: {nominal: 8}}]
        """;

    [Fact]
    public void Run_DemoScenarioTwice_GivesTheSameEventLog()
    {
        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "demo.yaml"));
        foreach (var profile in new[] { "kube-default", "fair-share+backfill+preemption" })
        {
            var a = JobReplay.Run(scenario, profile, new JobReplayOptions { KeepEvents = true });
            var b = JobReplay.Run(scenario, profile, new JobReplayOptions { KeepEvents = true });
            Assert.Equal(a.EventLogHash, b.EventLogHash);
            Assert.Equal(a.Events.Select(e => e.ToString()), b.Events.Select(e => e.ToString()));
            Assert.True(a.Events.Count > scenario.Workloads.Count * 2, "the log holds every submit and admission at least");
        }
    }

    [Fact]
    public void Run_PreemptedWorkload_ResumesFromItsLastCheckpointAndCountsTheLostWork()
    {
        // low runs from 0 with checkpoints every 300 s; high preempts it at 1000 s (900 s saved, 100 s lost on 8 GPUs),
        // runs 500 s; low resumes at 1500 s with 3600 - 900 = 2700 s left and finishes at 4200 s.
        var scenario = Read(Cluster + """

            workloads:
              - {name: low, queue: q, submit: 0s, duration: 3600s, gpus: 8, checkpointInterval: 300s}
              - {name: high, queue: q, submit: 1000s, duration: 500s, gpus: 8, priorityClass: high}
            """);
        var result = JobReplay.Run(scenario, "fair-share+preemption");
        var low = result.Jobs.Single(j => j.Id == "low");
        Assert.Equal(TimeSpan.FromSeconds(4200), low.End);
        Assert.Equal(1, low.Evictions);
        Assert.Equal(TimeSpan.FromSeconds(500), low.Wait);
        Assert.Equal(100.0 * 8 / 3600, result.Overall.LostGpuHours, 6);
        Assert.Equal(1, result.Overall.Preemptions);
    }

    [Fact]
    public void Run_WithoutPreemptionProfile_SameScenarioNeverPreempts()
    {
        var scenario = Read(Cluster + """

            workloads:
              - {name: low, queue: q, submit: 0s, duration: 3600s, gpus: 8}
              - {name: high, queue: q, submit: 1000s, duration: 500s, gpus: 8, priorityClass: high}
            """);
        var result = JobReplay.Run(scenario, "fair-share");
        Assert.Equal(0, result.Overall.Preemptions);
        Assert.Equal(TimeSpan.FromSeconds(3600 - 1000), result.Jobs.Single(j => j.Id == "high").Wait);
    }

    [Fact]
    public void Run_KubeDefault_PartialGangsHoldGpusIdleThatGangProfilesDoNot()
    {
        // Two 2-pod gangs of 8 GPUs on 3 nodes: pod by pod, each places one pod and the third node goes to one of
        // them; the other holds its 8 GPUs idle until the first finishes.
        var scenario = Read(Cluster.Replace("count: 1,", "count: 3,", StringComparison.Ordinal).Replace("nominal: 8", "nominal: 24", StringComparison.Ordinal) + """

            workloads:
              - {name: a, queue: q, submit: 0s, duration: 3600s, podSets: [{name: w, count: 2, gpus: 8}]}
              - {name: b, queue: q, submit: 0s, duration: 3600s, podSets: [{name: w, count: 2, gpus: 8}]}
            """);
        var kube = JobReplay.Run(scenario, "kube-default");
        var gang = JobReplay.Run(scenario, "fair-share");
        Assert.True(kube.Overall.IdleGangGpuHours >= 8 - 1e-9, $"kube-default idle gang GPU-hours {kube.Overall.IdleGangGpuHours}");
        Assert.Equal(0, gang.Overall.IdleGangGpuHours);
    }

    [SharedDataFact]
    public void Run_ItpMerged_FairShareBackfillHalvesStrictFifoWaitAndKubeDefaultHoldsIdleGangs()
    {
        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "itp-merged.yaml"));
        var strict = JobReplay.Run(scenario, "strict-fifo");
        var fair = JobReplay.Run(scenario, "fair-share+backfill");
        Assert.True(fair.Overall.MeanWait <= strict.Overall.MeanWait / 2, $"fair-share+backfill {fair.Overall.MeanWait:F0} s vs strict-fifo {strict.Overall.MeanWait:F0} s");
        Assert.Equal(0, fair.Overall.IdleGangGpuHours);
        Assert.Equal(scenario.Workloads.Count, fair.Overall.Completed);
    }
}
