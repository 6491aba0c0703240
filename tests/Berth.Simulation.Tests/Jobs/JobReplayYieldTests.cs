using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Utilization;

namespace Berth.Simulation.Tests.Jobs;

/// <summary>Accelerator yield in the job replay: allocated GPU-hours, used GPU-hours (weighted by GPU activity), and yield beside allocation.</summary>
public class JobReplayYieldTests
{
    private const string Cluster = """
        kind: Scenario
        name: t
        settings: {placementPolicy: bestfit}
        cluster:
          nodeGroups:
            - {name: n, count: 2, gpus: 8, gpuModel: A100, cpu: 64, memory: 512Gi}
        flavors:
          - {name: default}
        queues:
          - {name: a, flavors: [{flavor: default, gpu: {nominal: 8}}]}
          - {name: b, flavors: [{flavor: default, gpu: {nominal: 8}}]}
        """;

    private static Scenario Read(string yaml) => ScenarioReader.Read(Path.Combine(Path.GetTempPath(), "inline.yaml"), yaml);

    [Fact]
    public void Run_JobsWithStatedActivity_UseThatShareOfTheirGpuHours()
    {
        // a: 8 GPUs for 1 h at 50%; b: 4 GPUs for 2 h at 25%, its pods take 3 min to start.
        var scenario = Read(Cluster + """

            workloads:
              - {name: a1, queue: a, submit: 0s, duration: 1h, gpus: 8, gpuActivity: 0.5}
              - {name: b1, queue: b, submit: 0s, duration: 2h, gpus: 4, gpusPerPod: 4, gpuActivity: 0.25, startupTime: 3m}
            """);
        var result = JobReplay.Run(scenario, "fair-share");
        var a = result.Queues.Single(q => q.Queue == "a");
        var b = result.Queues.Single(q => q.Queue == "b");

        Assert.Equal(8, a.AllocatedGpuHours, 6);
        Assert.Equal(4, a.UsedGpuHours, 6);
        Assert.Equal(4 * 2.05, b.AllocatedGpuHours, 6); // startup is allocated, not used
        Assert.Equal(4 * 2 * 0.25, b.UsedGpuHours, 6);
        Assert.Equal((4 * 2.05) - 2, b.IdleAllocatedGpuHours, 6);
        Assert.Equal(a.UsedGpuHours + b.UsedGpuHours, result.Overall.UsedGpuHours, 6);

        // The run spans 2.05 h on 16 GPUs: yield is used over that capacity.
        Assert.Equal(100 * 6 / (2.05 * 16), result.Overall.GpuYieldPct, 6);
        Assert.Equal(0.5, result.Jobs.Single(j => j.Id == "a1").GpuActivity);
    }

    [Fact]
    public void Run_WorkloadsWithoutActivity_GetTheScenariosModel_AndYieldDoesNotChangeDecisions()
    {
        var text = Cluster + """

            workloads:
              - {name: a1, queue: a, submit: 0s, duration: 1h, gpus: 8}
              - {name: a2, queue: a, submit: 10m, duration: 1h, gpus: 8}
              - {name: b1, queue: b, submit: 5m, duration: 3h, gpus: 8}
            """;
        var idle = Read(text + "\nutilization: {idleShare: 1, idleCeiling: 0.01, seed: 3}\n");
        var busy = Read(text + "\nutilization: {idleShare: 0, activeMean: 0.9, concentration: 1000}\n");
        Assert.All(idle.Workloads, w => Assert.InRange(w.GpuActivity!.Value, 0, 0.01));
        Assert.All(busy.Workloads, w => Assert.InRange(w.GpuActivity!.Value, 0.8, 1));

        var lazy = JobReplay.Run(idle, "fair-share+backfill+preemption");
        var eager = JobReplay.Run(busy, "fair-share+backfill+preemption");
        Assert.Equal(lazy.EventLogHash, eager.EventLogHash);
        Assert.Equal(lazy.Overall.AllocatedGpuHours, eager.Overall.AllocatedGpuHours, 9);
        Assert.True(lazy.Overall.GpuYieldPct < 1, $"idle jobs: yield {lazy.Overall.GpuYieldPct}");
        Assert.True(eager.Overall.GpuYieldPct > 0.8 * eager.Overall.GpuUtilPct, $"busy jobs: yield {eager.Overall.GpuYieldPct} of util {eager.Overall.GpuUtilPct}");
    }

    [Fact]
    public void Run_RandomScenarios_YieldNeverAboveUtilOrAllocation_AndQueuesAddUp()
    {
        var random = new Random(11);
        for (var round = 0; round < 40; round++)
        {
            var lines = new List<string>();
            var count = random.Next(3, 25);
            for (var i = 0; i < count; i++)
            {
                var gpus = new[] { 1, 2, 4, 8, 16 }[random.Next(5)];
                var perPod = Math.Min(gpus, 8);
                var activity = random.Next(3) == 0 ? string.Empty : $", gpuActivity: {random.NextDouble():0.###}";
                var startup = random.Next(4) == 0 ? $", startupTime: {random.Next(1, 900)}s" : string.Empty;
                lines.Add($"  - {{name: w{i}, queue: {(random.Next(2) == 0 ? "a" : "b")}, submit: {random.Next(0, 7200)}s, duration: {random.Next(60, 10_000)}s, gpus: {gpus}, gpusPerPod: {perPod}{activity}{startup}}}");
            }

            var profile = new[] { "strict-fifo", "fair-share", "fair-share+backfill+preemption" }[round % 3];
            var scenario = Read(Cluster + $"\nutilization: {{seed: {round}}}\nworkloads:\n" + string.Join('\n', lines) + "\n");
            var result = JobReplay.Run(scenario, profile);
            var all = result.Overall;
            Assert.True(all.GpuYieldPct <= all.GpuUtilPct + 1e-9, $"round {round}: yield {all.GpuYieldPct} above util {all.GpuUtilPct}");
            Assert.True(all.GpuUtilPct <= all.GpuAllocPct + 1e-9, $"round {round}: util {all.GpuUtilPct} above alloc {all.GpuAllocPct}");
            Assert.True(all.UsedGpuHours <= all.AllocatedGpuHours + 1e-9, $"round {round}: used above allocated");
            var queues = result.Queues.Where(q => q.Queue != "*").ToArray();
            Assert.Equal(all.UsedGpuHours, queues.Sum(q => q.UsedGpuHours), 6);
            Assert.Equal(all.GpuYieldPct, queues.Sum(q => q.GpuYieldPct), 6);
        }
    }

    [Fact]
    public void Run_PreemptedJob_LosesUsefulWorkInProportionToItsActivity()
    {
        // low (25% busy) runs from 0 with checkpoints every 300 s; high preempts it at 1000 s: 100 s on 8 GPUs lost, 25 s of it useful.
        var scenario = Read(JobReplayTests.Cluster + """

            workloads:
              - {name: low, queue: q, submit: 0s, duration: 3600s, gpus: 8, checkpointInterval: 300s, gpuActivity: 0.25}
              - {name: high, queue: q, submit: 1000s, duration: 500s, gpus: 8, priorityClass: high, gpuActivity: 1}
            """);
        var result = JobReplay.Run(scenario, "fair-share+preemption");
        Assert.Equal(100.0 * 8 / 3600, result.Overall.LostGpuHours, 6);
        Assert.Equal(25.0 * 8 / 3600, result.Overall.LostUsefulGpuHours, 6);
    }

    [Fact]
    public void Read_WithoutUtilizationSection_UsesTheDefaultModel()
    {
        var scenario = Read(Cluster + "\nworkloads:\n  - {name: a1, queue: a, duration: 1h, gpus: 8}\n");
        Assert.Equal(UtilizationModel.Default, scenario.Utilization);
        Assert.Equal(UtilizationModel.Default.ActivityOf("a1"), scenario.Workloads[0].GpuActivity);
    }
}
