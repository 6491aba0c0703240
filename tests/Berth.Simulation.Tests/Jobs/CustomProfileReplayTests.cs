using Berth.Engine.Admission;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Jobs;

/// <summary>
/// A profile the scenario file defines (<c>admissionProfiles</c>) runs through the same replay as a built-in one. The
/// case is KAI's: queue b comes back for its quota while queue a borrows it. <c>fair-share+preemption</c> evicts b's
/// own low-priority b1 first (least work lost), which then still has to reclaim a's borrower a3; a profile with
/// <c>reclaim</c> before <c>preempt</c> takes a3 alone.
/// </summary>
public sealed class CustomProfileReplayTests
{
    private const string Text = """
        kind: Scenario
        name: reclaim-before-preempt
        admissionProfiles:
          - name: kai-order
            actions: [allocate, backfill, reclaim, consolidate, preempt]
        profiles: [fair-share+preemption, kai-order]
        settings: {placementPolicy: bestfit}
        cluster:
          nodeGroups:
            - {name: n, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: default}
        cohorts:
          - {name: org}
        queues:
          - {name: a, cohort: org, preemption: {withinQueue: LowerPriority, reclaim: Any, fairShare: true}, flavors: [{flavor: default, gpu: 4}]}
          - {name: b, cohort: org, preemption: {withinQueue: LowerPriority, reclaim: Any, fairShare: true}, flavors: [{flavor: default, gpu: 4}]}
        workloads:
          - {name: a1, queue: a, submit: 10s, duration: 1000s, gpus: 2, gpusPerPod: 1}
          - {name: a2, queue: a, submit: 20s, duration: 1000s, gpus: 2, gpusPerPod: 1}
          - {name: a3, queue: a, submit: 30s, duration: 1000s, gpus: 2, gpusPerPod: 1}
          - {name: b1, queue: b, submit: 40s, duration: 1000s, gpus: 2, gpusPerPod: 1, priority: -1}
          - {name: b2, queue: b, submit: 50s, duration: 1000s, gpus: 2, gpusPerPod: 1}
        """;

    public static TheoryData<string, string[]> Cases => new()
    {
        { "fair-share+preemption", ["b1:Preempted", "a3:Reclaimed"] },
        { "kai-order", ["a3:Reclaimed"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Replay_QueueComesBackForItsQuota_EvictsExactlyTheseWhenB2Arrives(string profile, string[] evicted)
    {
        var scenario = ScenarioReader.Read("/scenarios/reclaim.yaml", Text);

        var result = JobReplay.Run(scenario, profile, new JobReplayOptions { KeepEvents = true });

        var at50 = result.Events.Where(e => e.Kind == AdmissionEventKind.Evicted && e.At == TimeSpan.FromSeconds(50)).Select(e => $"{e.Workload}:{e.Reason}");
        Assert.Equal(evicted, at50);
        Assert.Contains(result.Events, e => e.Kind == AdmissionEventKind.Admitted && e.Workload == "b2" && e.At == TimeSpan.FromSeconds(50));
        Assert.Equal(profile, result.Profile);
    }

    [Fact]
    public void Replay_OwnProfile_RunsItsActionsInTheFileOrder()
    {
        var scenario = ScenarioReader.Read("/scenarios/reclaim.yaml", Text);

        var options = ScenarioProfiles.Apply(scenario, "kai-order");

        Assert.Equal(["allocate", "backfill", "reclaim", "consolidate", "preempt"], options.EffectiveActions);
        Assert.Equal((CandidateOrder.FairShare, (Model.Queueing.QueueingStrategy?)null), (options.Order, options.StrategyOverride));
        Assert.Equal(AdmissionProfiles.Get("fair-share+preemption").ApplyTo(scenario.Options), ScenarioProfiles.Apply(scenario, "fair-share+preemption"));
    }
}
