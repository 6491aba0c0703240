using Berth.Engine.Admission;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Scenarios;

namespace Berth.Simulation.Tests.Jobs;

/// <summary>The replay's seeded spot reclaims: they requeue work on spot nodes only, lose what was not checkpointed, and repeat for a seed.</summary>
public sealed class SpotReclaimReplayTests
{
    private const string Profile = "fair-share+backfill+preemption";

    // One spot node, one on-demand node; each workload takes a whole node.
    private static string Yaml(string reclaims, string workloads) =>
        "kind: Scenario\nname: spot\ncluster:\n  nodeGroups:\n"
        + "    - {name: s, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi, labels: {lifecycle: spot}}\n"
        + "    - {name: o, count: 1, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi, labels: {lifecycle: ondemand}}\n"
        + "flavors:\n  - {name: spot, nodeLabels: {lifecycle: spot}, spot: true}\n  - {name: ondemand, nodeLabels: {lifecycle: ondemand}}\n"
        + "queues:\n  - name: q\n    flavors:\n      - {flavor: spot, gpu: 8}\n      - {flavor: ondemand, gpu: 8}\n"
        + reclaims + "workloads:\n" + workloads;

    private const string Reclaims = "spotReclaims: {ratePerHour: 1, downtime: 10m, seed: 3}\n";

    private const string TwoJobs =
        "  - {name: onspot, queue: q, duration: 10h, gpus: 8, checkpointInterval: 10m}\n"
        + "  - {name: ondemand, queue: q, duration: 10h, gpus: 8, preemptible: false}\n";

    private static Scenario Read(string yaml) => ScenarioReader.Read(Path.Combine(Path.GetTempPath(), "spot.yaml"), yaml);

    [Fact]
    public void Replay_SpotReclaims_RequeueOnlyWorkOnSpotNodesAndLoseAtMostOneCheckpointIntervalEach()
    {
        var result = JobReplay.Run(Read(Yaml(Reclaims, TwoJobs)), Profile, new JobReplayOptions { KeepEvents = true });

        var evicted = result.Events.Where(e => e.Kind == AdmissionEventKind.Evicted).ToArray();
        Assert.NotEmpty(evicted);
        Assert.All(evicted, e => Assert.Equal(("onspot", "SpotReclaimed"), (e.Workload, e.Reason)));
        var onSpot = result.Jobs.Single(j => j.Id == "onspot");
        Assert.Equal(JobOutcome.Completed, onSpot.Outcome);
        Assert.Equal(evicted.Length, onSpot.Evictions);
        Assert.Equal(0, result.Jobs.Single(j => j.Id == "ondemand").Evictions);

        // Each reclaim loses less than one 10-minute checkpoint interval on 8 GPUs.
        Assert.InRange(result.Overall.LostGpuHours, 0, evicted.Length * 8 * (10 / 60.0));
        Assert.True(onSpot.End!.Value > TimeSpan.FromHours(10), "the reclaims and downtimes delay it past its 10 hours of work");
    }

    [Fact]
    public void Replay_SpotReclaims_SameSeedSameRunOtherSeedOtherRun()
    {
        var first = JobReplay.Run(Read(Yaml(Reclaims, TwoJobs)), Profile).EventLogHash;
        var again = JobReplay.Run(Read(Yaml(Reclaims, TwoJobs)), Profile).EventLogHash;
        var other = JobReplay.Run(Read(Yaml(Reclaims.Replace("seed: 3", "seed: 4", StringComparison.Ordinal), TwoJobs)), Profile).EventLogHash;
        var none = JobReplay.Run(Read(Yaml(string.Empty, TwoJobs)), Profile).EventLogHash;

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.NotEqual(first, none);
    }

    [Fact]
    public void SpotComparison_CheckpointAwarePlacement_LosesLessThanAnythingOnSpot()
    {
        var rows = SpotComparison.Run(ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "spot-reclaims.yaml")), Profile);

        var aware = rows.Single(r => r.Placement == "checkpoint-aware");
        var anywhere = rows.Single(r => r.Placement == "anywhere");
        Assert.True(anywhere.Evictions > 0 && aware.Evictions > 0, SpotComparison.Table(rows));
        Assert.True(aware.LostGpuHours < anywhere.LostGpuHours, SpotComparison.Table(rows));
        Assert.Equal(600, aware.Completed);
        Assert.Equal(600, anywhere.Completed);
    }

    [Fact]
    public void SpotComparison_ScenarioWithoutReclaims_IsRefusedNamingTheField()
    {
        var error = Assert.Throws<ArgumentException>(() => SpotComparison.Run(Read(Yaml(string.Empty, TwoJobs)), Profile));
        Assert.Contains("spotReclaims", error.Message, StringComparison.Ordinal);
    }
}
