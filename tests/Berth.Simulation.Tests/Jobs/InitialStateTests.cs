using Berth.Engine.Admission;
using Berth.Model;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Jobs;

/// <summary>A scenario that starts with work already running (a snapshot of a live cluster): <see cref="Scenario.Running"/> and <see cref="Scenario.Withheld"/>.</summary>
public class InitialStateTests
{
    private static Scenario Read(string yaml) => ScenarioReader.Read(Path.Combine(Path.GetTempPath(), "inline.yaml"), yaml);

    // Two 8-GPU nodes n-0 and n-1; queue q holds 16 GPUs; 'next' (8 GPUs) is submitted at 0.
    private static readonly Scenario Base = Read("""
        kind: Scenario
        name: t
        settings: {placementPolicy: bestfit}
        cluster:
          nodeGroups:
            - {name: n, count: 2, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: default}
        priorityClasses:
          - {name: high, value: 100}
        queues:
          - name: q
            preemption: {withinQueue: LowerPriority}
            flavors: [{flavor: default, gpu: {nominal: 16}}]
        workloads:
          - {name: next, queue: q, submit: 0s, duration: 1h, gpus: 8}
          - {name: other, queue: q, submit: 0s, duration: 1h, gpus: 8}
        """);

    private static RunningWorkload Running(string name, string node, TimeSpan left, TimeSpan elapsed = default)
    {
        var template = Base.Workloads[0];
        return new RunningWorkload(template with { Id = name, Duration = left }, "default", [new RestoredPod(0, node, 0xFF)]) { Elapsed = elapsed };
    }

    [Fact]
    public void Run_RunningWorkloadOnANode_PendingWorkWaitsForItToEnd()
    {
        var scenario = Base with { Running = [Running("old", "n-0", TimeSpan.FromMinutes(30))] };

        var result = JobReplay.Run(scenario, "strict-fifo");

        var old = result.Jobs.Single(j => j.Id == "old");
        Assert.True(old.Restored);
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromMinutes(30)), (old.FirstStart!.Value, old.End!.Value));
        Assert.Equal(TimeSpan.Zero, result.Jobs.Single(j => j.Id == "next").FirstStart); // n-1 is free
        Assert.Equal(TimeSpan.FromMinutes(30), result.Jobs.Single(j => j.Id == "other").FirstStart);
        Assert.Equal(2, result.Overall.Jobs); // the restored workload never waited here
        Assert.Equal(900, result.Overall.MeanWait);
    }

    [Fact]
    public void Run_WithheldGpus_AreNeverFreed()
    {
        var held = new WithheldPod("n-1", new Pod { Name = "daemon", GpuCount = 1, GpuMilli = 1000 }, 0b1);
        var scenario = Base with { Withheld = [held] };

        var result = JobReplay.Run(scenario, "strict-fifo");

        Assert.Equal(TimeSpan.Zero, result.Jobs.Single(j => j.Id == "next").FirstStart);
        Assert.Equal(TimeSpan.FromHours(1), result.Jobs.Single(j => j.Id == "other").FirstStart); // n-1 has 7 GPUs free, forever
    }

    [Fact]
    public void Run_RunningWorkloadPastItsMaxRunTime_FailsAtOnce()
    {
        var running = Running("old", "n-0", TimeSpan.FromHours(1), elapsed: TimeSpan.FromHours(2));
        var scenario = Base with { Running = [running with { Workload = running.Workload with { MaxRunTime = TimeSpan.FromHours(2) } }] };

        var result = JobReplay.Run(scenario, "strict-fifo");

        var old = result.Jobs.Single(j => j.Id == "old");
        Assert.Equal((JobOutcome.Failed, "MaxRunTimeExceeded", TimeSpan.Zero), (old.Outcome, old.FailReason, old.End!.Value));
    }

    [Fact]
    public void Run_RunningPodThatDoesNotFitWhereItIsSaid_IsABugOfTheCaller()
    {
        var scenario = Base with { Running = [Running("a", "n-0", TimeSpan.FromHours(1)), Running("b", "n-0", TimeSpan.FromHours(1))] };

        var e = Assert.Throws<ArgumentException>(() => JobReplay.Run(scenario, "strict-fifo"));

        Assert.Contains("running workload b has 1 pod(s) that do not fit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithheldPodOnTheGpusOfARunningWorkload_IsABugOfTheCaller()
    {
        var held = new WithheldPod("n-0", new Pod { Name = "daemon", GpuCount = 1, GpuMilli = 1000 }, 0b1);
        var scenario = Base with { Running = [Running("old", "n-0", TimeSpan.FromMinutes(30))], Withheld = [held] };

        var e = Assert.Throws<ArgumentException>(() => JobReplay.Run(scenario, "strict-fifo"));

        Assert.Contains("withheld pod daemon does not fit on node n-0 beside the running workloads", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_RunningWorkloadWithoutPlaces_IsPlacedAtTimeZeroOnAFreeNode()
    {
        var scenario = Base with { Running = [Running("old", "n-0", TimeSpan.FromMinutes(30)) with { Pods = [] }] };

        var result = JobReplay.Run(scenario, "strict-fifo");

        Assert.Equal(TimeSpan.FromMinutes(30), result.Jobs.Single(j => j.Id == "old").End);
        Assert.Equal(TimeSpan.FromMinutes(30), result.Jobs.Single(j => j.Id == "other").FirstStart);
    }

    [Fact]
    public void AloneScenario_KeepsTheQueuesRunningWorkWithoutItsPlacesAndDropsWithheldCapacity()
    {
        var held = new WithheldPod("n-1", new Pod { Name = "daemon", GpuCount = 1, GpuMilli = 1000 }, 0b1);
        var scenario = Base with { Running = [Running("old", "n-0", TimeSpan.FromMinutes(30))], Withheld = [held] };

        var alone = AloneScenario.For(scenario, "q");

        var running = Assert.Single(alone.Running);
        Assert.Empty(running.Pods);
        Assert.Empty(alone.Withheld);
        Assert.Equal(TimeSpan.FromMinutes(30), JobReplay.Run(alone, "strict-fifo").Jobs.Single(j => j.Id == "old").End);
    }
}
