using Berth.Engine.Admission;
using Berth.Model;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Tests.Scenarios;

/// <summary>
/// scenarios/serving-pools.yaml, the example docs/ARCHITECTURE.md shows: training and inference pools as two flavors in
/// one cohort, serving at a priority class, replicas named by <c>servingGroup</c>.
/// </summary>
public sealed class ServingPoolsScenarioTests
{
    [Fact]
    public void Replay_ChatScalesUpInTheMorning_ReclaimsTheBorrowedPoolAtOnceAndSpreadsOverThreeZones()
    {
        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "serving-pools.yaml"));
        Assert.Equal(["chat", "chat", "chat"], scenario.Workloads.Where(w => w.IsServing).Select(w => w.ServingGroup));

        var result = JobReplay.Run(scenario, "fair-share+backfill+preemption", new JobReplayOptions { KeepEvents = true });

        var morning = TimeSpan.FromHours(8);
        Assert.Equal(morning, result.Jobs.Single(j => j.Id == "chat-1").FirstStart);
        Assert.Equal(morning, result.Jobs.Single(j => j.Id == "chat-2").FirstStart);
        var evicted = Assert.Single(result.Events, e => e.Kind == AdmissionEventKind.Evicted);
        Assert.Equal(("finetune", morning), (evicted.Workload, evicted.At));

        var zoneOf = scenario.Nodes.ToDictionary(n => n.Name, n => n.Labels.GetValueOrDefault(TopologyKeys.Zone));
        var zones = result.Events.Where(e => e.Kind == AdmissionEventKind.Admitted && e.Workload.StartsWith("chat-", StringComparison.Ordinal))
            .Select(e => zoneOf[e.Detail!]).ToArray();
        Assert.Equal(3, zones.Length);
        Assert.Equal(["zone-a", "zone-b", "zone-c"], zones.Order());
    }
}
