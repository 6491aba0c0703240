using Berth.Engine.Admission;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Conformance;
using Berth.Simulation.Tests.Scenarios;

namespace Berth.Simulation.Tests.Jobs;

/// <summary>Controls for the idle-GPU conformance scenarios: without the policy (or above its threshold) the outcome differs.</summary>
public class IdleGpuPolicyTests
{
    private static Scenario Variant(string file, string from, string to)
    {
        var path = Path.Combine(ConformanceTests.Folder, file);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return ScenarioReader.Read(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void FirstVictim_WithoutThePolicy_TheJobThatLosesLeastIsEvicted()
    {
        var scenario = Variant("idle-gpus-idle-job-is-first-victim.yaml", "    idleGpus: {after: 10m, below: 0.05, action: PreemptFirst}\n", string.Empty);
        var events = JobReplay.Run(scenario, "fair-share+preemption", new JobReplayOptions { KeepEvents = true }).Events;
        var evicted = Assert.Single(events, e => e.Kind == AdmissionEventKind.Evicted);
        Assert.Equal("busy", evicted.Workload);
        Assert.DoesNotContain(events, e => e.Kind == AdmissionEventKind.Idle);
    }

    [Fact]
    public void FirstVictim_UnderNotify_TheIdleJobIsReportedButNotChosenFirst()
    {
        var scenario = Variant("idle-gpus-idle-job-is-first-victim.yaml", "action: PreemptFirst", "action: Notify");
        var events = JobReplay.Run(scenario, "fair-share+preemption", new JobReplayOptions { KeepEvents = true }).Events;
        Assert.Equal("busy", Assert.Single(events, e => e.Kind == AdmissionEventKind.Evicted).Workload);
        Assert.Equal("idle", Assert.Single(events, e => e.Kind == AdmissionEventKind.Idle).Workload);
    }

    [Fact]
    public void Reclaim_ActivityAboveTheThreshold_IsNeverIdle()
    {
        var scenario = Variant("idle-gpus-reclaimed-after-grace.yaml", "gpuActivity: 0.01}", "gpuActivity: 0.06}");
        var result = JobReplay.Run(scenario, "fair-share", new JobReplayOptions { KeepEvents = true });
        Assert.DoesNotContain(result.Events, e => e.Kind is AdmissionEventKind.Idle or AdmissionEventKind.Failed);
        Assert.Equal(TimeSpan.FromHours(10), result.Jobs.Single(j => j.Id == "notebook").End);
        Assert.Equal(0, result.Overall.IdleReclaimed);
    }

    [Fact]
    public void Reclaim_CountsIdleJobsAndReclaimsInTheRunsStats()
    {
        var scenario = ScenarioReader.Read(Path.Combine(ConformanceTests.Folder, "idle-gpus-reclaimed-after-grace.yaml"));
        var result = JobReplay.Run(scenario, "fair-share");
        Assert.Equal(1, result.Overall.IdleJobs);
        Assert.Equal(1, result.Overall.IdleReclaimed);
        Assert.Equal(IdleGpus.ReclaimedReason, result.Jobs.Single(j => j.Id == "notebook").FailReason);
    }

    [Theory]
    [InlineData("fair-share+backfill+preemption")]
    [InlineData("besteffort-fifo+preemption")]
    [InlineData("kube-default")]
    public void Notify_OnEveryQueue_ChangesNoDecision(string profile)
    {
        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "demo.yaml"));
        var notify = scenario with
        {
            Queues = scenario.Queues with { Queues = scenario.Queues.Queues.Select(q => q with { IdleGpus = new Model.Queueing.IdleGpuPolicy { After = TimeSpan.FromMinutes(20), Below = 0.3 } }).ToArray() },
        };
        var plain = JobReplay.Run(scenario, profile, new JobReplayOptions { KeepEvents = true });
        var watched = JobReplay.Run(notify, profile, new JobReplayOptions { KeepEvents = true });
        Assert.Contains(watched.Events, e => e.Kind == AdmissionEventKind.Idle);
        Assert.Equal(plain.Events.Select(e => e.ToString()), watched.Events.Where(e => e.Kind != AdmissionEventKind.Idle).Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("{after: 0s, below: 0.05}", "after", "more than 0")]
    [InlineData("{after: 10m, below: 1.5}", "below", "at most 1")]
    [InlineData("{after: 10m, action: Evict}", "action", "Notify, PreemptFirst, Reclaim")]
    [InlineData("{after: 10m, grace: -1m}", "grace", "0 or more")]
    [InlineData("{afterr: 10m}", "afterr", "did you mean 'after'")]
    public void Read_BadIdlePolicy_NamesTheField(string policy, string field, string mentions)
    {
        var path = Path.Combine(ConformanceTests.Folder, "idle-gpus-reclaimed-after-grace.yaml");
        var text = File.ReadAllText(path).Replace("{after: 10m, below: 0.05, action: Reclaim, grace: 5m}", policy, StringComparison.Ordinal);
        var e = Assert.Throws<Input.InputException>(() => ScenarioReader.Read(path, text));
        Assert.Equal(field, e.Field);
        Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
    }
}
