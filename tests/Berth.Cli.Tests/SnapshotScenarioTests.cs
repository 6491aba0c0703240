using Berth.Cli.Running;
using Berth.Kubernetes.Snapshots;
using Berth.Simulation.Snapshots;
using Berth.TestKit.Kubernetes.Snapshots;
using Berth.Model.Queueing;
using Berth.Simulation.Input;
using Berth.Simulation.Jobs;

namespace Berth.Cli.Tests;

public sealed class SnapshotScenarioTests
{
    [Fact]
    public void Build_RunningJob_RestoredWhereItRunsWithTheTimeItHasLeft()
    {
        var scenario = SnapshotRun.ScenarioOf(WhatIfCluster.Snapshot(), new SnapshotSimulationOptions(), "what-if");

        var running = Assert.Single(scenario.Running);
        Assert.Equal("job/default/train", running.Workload.Id);
        Assert.Equal("a100", running.Flavor);
        Assert.Equal(TimeSpan.FromHours(1), running.Elapsed);
        Assert.Equal(TimeSpan.FromHours(2), running.Workload.Duration); // expected 3h, admitted an hour ago
        var pod = Assert.Single(running.Pods);
        Assert.Equal(("n1", 0xFF), (pod.Node, pod.GpuMask));
        var held = Assert.Single(scenario.Withheld);
        Assert.Equal(("n3", 2), (held.Node, held.Pod.GpuCount));
        Assert.Equal(4, scenario.Nodes.Count);
        Assert.Equal(4, Assert.Single(scenario.NodeGroups).Count);
    }

    [Fact]
    public void Build_PendingJob_SubmittedAtZeroWithItsExpectedRunTime()
    {
        var scenario = SnapshotRun.ScenarioOf(WhatIfCluster.Snapshot(), new SnapshotSimulationOptions(), "what-if");

        var gang = Assert.Single(scenario.Workloads);
        Assert.Equal("job/default/gang", gang.Id);
        Assert.Equal(TimeSpan.Zero, gang.SubmitTime);
        Assert.Equal(TimeSpan.FromHours(1), gang.Duration);
        Assert.Equal(16000, gang.Request.GpuMilli);
    }

    [Fact]
    public void Build_NoExpectedRunTime_UsesMaxRunTimeElseTheDefault()
    {
        var snapshot = WhatIfCluster.Snapshot();
        var gang = snapshot.Jobs.Single(j => j.Metadata.Name == "gang");
        gang.Metadata.Annotations.Clear();
        var byDefault = SnapshotRun.ScenarioOf(snapshot, new SnapshotSimulationOptions { DefaultRuntime = TimeSpan.FromMinutes(45) }, "x");
        gang.Spec.ActiveDeadlineSeconds = 7200;
        var byDeadline = SnapshotRun.ScenarioOf(snapshot, new SnapshotSimulationOptions { DefaultRuntime = TimeSpan.FromMinutes(45) }, "x");

        Assert.Equal(TimeSpan.FromMinutes(45), byDefault.Workloads.Single().Duration);
        Assert.Equal(TimeSpan.FromHours(2), byDeadline.Workloads.Single().Duration);
    }

    [Fact]
    public void Build_RunningJobOnAnUnreadyNode_StartsPendingAsTheControllerWouldRequeueIt()
    {
        var snapshot = WhatIfCluster.Snapshot();
        snapshot.Nodes.Single(n => n.Metadata.Name == "n1").Status.Conditions[0].Status = "False";

        var scenario = SnapshotRun.ScenarioOf(snapshot, new SnapshotSimulationOptions(), "x");

        Assert.Empty(scenario.Running);
        var train = scenario.Workloads.Single(w => w.Id == "job/default/train");
        Assert.Equal(TimeSpan.FromHours(3), train.Duration); // its whole run time again
        Assert.Contains(scenario.Notes, n => n.StartsWith("job/default/train runs but the controller would requeue it (node n1", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_ForeignPodOnTheGpusOfARunningJob_LeftOutAsTheControllerDoes()
    {
        var snapshot = WhatIfCluster.Snapshot();
        var inference = snapshot.Pods.Single(p => p.Metadata.Name == "inference-0");
        inference.Spec.NodeName = "n1"; // n1's 8 GPUs are train's in Berth's record

        var scenario = SnapshotRun.ScenarioOf(snapshot, new SnapshotSimulationOptions(), "x");

        Assert.Equal("n1", Assert.Single(scenario.Running).Pods.Single().Node);
        Assert.Empty(scenario.Withheld);
        Assert.Contains(scenario.Notes, n => n.StartsWith("pod serving/inference-0 on n1 asks for more than the node has free", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("strict-fifo")]
    [InlineData("fair-share+backfill")]
    public void Replay_GangNeedingTheRunningJobsQuota_StartsWhenThatJobEnds(string profile)
    {
        var scenario = SnapshotRun.ScenarioOf(WhatIfCluster.Snapshot(), new SnapshotSimulationOptions(), "what-if");

        var result = JobReplay.Run(scenario, profile);

        var gang = result.Jobs.Single(j => j.Id == "job/default/gang");
        var train = result.Jobs.Single(j => j.Id == "job/default/train");
        Assert.Equal(TimeSpan.FromHours(2), gang.FirstStart);
        Assert.Equal(TimeSpan.FromHours(2), train.End);
        Assert.True(train.Restored);
        Assert.Equal(1, result.Overall.Jobs); // the running job never waited here: not in the wait statistics
        Assert.Equal(7200, result.Overall.MeanWait);
    }

    [Fact]
    public void Replay_QuotaRaisedForThePendingQueue_GangStartsAtOnceBesideTheRunningJob()
    {
        var options = new SnapshotSimulationOptions { Quotas = [QuotaOverride.Parse("team-b/a100/gpu=16")] };
        var scenario = SnapshotRun.ScenarioOf(WhatIfCluster.Snapshot(), options, "what-if");

        var result = JobReplay.Run(scenario, "strict-fifo", new JobReplayOptions { KeepEvents = true });

        Assert.Equal(TimeSpan.Zero, result.Jobs.Single(j => j.Id == "job/default/gang").FirstStart);
        Assert.Equal(TimeSpan.FromHours(2), result.Jobs.Single(j => j.Id == "job/default/train").End);
        Assert.Contains("what-if: nominal quota team-b/a100/gpu=16", scenario.Notes);
    }

    [Fact]
    public void Replay_WithheldCapacity_KeepsTheGangOffTheBusyNode()
    {
        // Two 8-GPU nodes free besides n3 (2 GPUs held by another scheduler's pod): a 3-node gang must wait for train.
        var snapshot = WhatIfCluster.Snapshot();
        var gang = snapshot.Jobs.Single(j => j.Metadata.Name == "gang");
        gang.Spec.Parallelism = 3;
        gang.Spec.Completions = 3;
        var options = new SnapshotSimulationOptions { Quotas = [QuotaOverride.Parse("team-b/a100/gpu=24")] };

        var result = JobReplay.Run(SnapshotRun.ScenarioOf(snapshot, options, "x"), "strict-fifo");

        Assert.Equal(TimeSpan.FromHours(2), result.Jobs.Single(j => j.Id == "job/default/gang").FirstStart);
    }

    [Fact]
    public void Replay_SameSnapshotTwice_GivesTheSameEventLog()
    {
        var scenario = SnapshotRun.ScenarioOf(WhatIfCluster.Snapshot(), new SnapshotSimulationOptions(), "x");

        Assert.Equal(JobReplay.Run(scenario, "fair-share").EventLogHash, JobReplay.Run(scenario, "fair-share").EventLogHash);
    }

    public static TheoryData<string, string> BadQuotas => new()
    {
        { "team-b/a100=16", "give QUEUE/FLAVOR/RESOURCE=AMOUNT" },
        { "team-b/a100/gpus", "give QUEUE/FLAVOR/RESOURCE=AMOUNT" },
        { "team-b/a100/disk=1", "unknown resource 'disk'" },
        { "team-b/a100/gpu=-1", "is not an amount of gpu of 0 or more" },
        { "team-b/a100/memory=lots", "is not an amount of memory" },
    };

    [Theory]
    [MemberData(nameof(BadQuotas))]
    public void QuotaOverrideParse_BadText_NamesTheOptionAndTheSyntax(string text, string message)
    {
        var e = Assert.Throws<InputException>(() => QuotaOverride.Parse(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("--set-quota", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("team-c/a100/gpu=4", "no valid queue 'team-c'; its queues are: team-a, team-b")]
    [InlineData("team-a/h100/gpu=4", "queue 'team-a' has no quota in flavor 'h100'; its flavors are: a100")]
    public void Build_QuotaForUnknownQueueOrFlavor_ListsWhatExists(string text, string message)
    {
        var options = new SnapshotSimulationOptions { Quotas = [QuotaOverride.Parse(text)] };
        var e = Assert.Throws<InputException>(() => SnapshotRun.ScenarioOf(WhatIfCluster.Snapshot(), options, "x"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotaOverrideApply_MemoryAndCpu_ChangeOnlyThatNominal()
    {
        var config = SnapshotRun.ScenarioOf(WhatIfCluster.Snapshot(), new SnapshotSimulationOptions(), "x").Queues;

        var changed = QuotaOverride.Parse("team-a/a100/memory=1Ti").Apply(QuotaOverride.Parse("team-a/a100/cpu=500m").Apply(config));

        var quota = changed.Queues.Single(q => q.Name == "team-a").Flavors.Single();
        Assert.Equal((500L, 1024L * 1024), (quota.Cpu!.Nominal, quota.Memory!.Nominal));
        Assert.Equal(8000, quota.Gpu!.Nominal);
        Assert.Equal(config.Queues.Single(q => q.Name == "team-b"), changed.Queues.Single(q => q.Name == "team-b"));
    }

    [Fact]
    public void Build_SnapshotWithoutQueues_SaysNothingCouldBeAdmitted()
    {
        var snapshot = WhatIfCluster.Snapshot() with { Queues = [] };
        var e = Assert.Throws<InputException>(() => SnapshotRun.ScenarioOf(snapshot, new SnapshotSimulationOptions(), "x"));
        Assert.Contains("no valid Queue", e.Message, StringComparison.Ordinal);
    }
}
