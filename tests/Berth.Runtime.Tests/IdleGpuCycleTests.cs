using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Cycle;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Runtime.Tests;

/// <summary>Idle GPUs through the decision loop: telemetry in the view, Idle and Stop steps out, and bad samples ignored.</summary>
public class IdleGpuCycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static QueueConfiguration Config(IdleAction action) => new()
    {
        Flavors = [new Flavor("a100")],
        Queues =
        [
            new Queue("team-a")
            {
                Flavors = [new FlavorQuota("a100") { Gpu = new ResourceQuota(8_000) }],
                IdleGpus = new IdleGpuPolicy { After = TimeSpan.FromMinutes(30), Below = 0.05, Action = action, Grace = TimeSpan.FromMinutes(15) },
            },
        ],
    };

    private static Workload Job(string id) => new(id)
    {
        Queue = "team-a",
        PodSets = [new PodSet("main", 1, new Pod { Name = "p", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 8, GpuMilli = Limits.GpuMilliPerGpu })],
    };

    /// <summary>A notebook running on n1 for <paramref name="ranFor"/> at <paramref name="activity"/>, and a job waiting for its GPUs.</summary>
    private static ClusterView View(IdleAction action, TimeSpan ranFor, double? activity) => new()
    {
        Now = Now,
        Configuration = Config(action),
        Nodes = [new ViewNode(new Node { Name = "n1", CpuMilli = 64_000, MemoryMiB = 512 * 1024, GpuCount = 8, GpuModel = "A100" }, true, true, 0)],
        Workloads =
        [
            new ViewWorkload
            {
                Id = "job/notebook", Kind = WorkloadKind.Job, Workload = Job("job/notebook"), Created = Now - ranFor, Running = true, GpuActivity = activity,
                Memo = new AdmissionMemo("a100", Now - ranFor, [new PlannedPlacement(0, "n1", 0xFF, 1000)]),
                Members = [new ViewPod("ns/notebook-0", "notebook-0", 0, Job("x").PodSets[0].Template, "n1", 0xFF, BerthScheduled: false)],
            },
            new ViewWorkload { Id = "job/train", Kind = WorkloadKind.Job, Workload = Job("job/train"), Created = Now.AddMinutes(-5) },
        ],
    };

    private static CycleOptions Options => new(AdmissionProfiles.Apply("fair-share", new AdmissionOptions()), null);

    [Fact]
    public void Plan_IdlePastAfterButWithinGrace_ReportsIdleAndKeepsItRunning()
    {
        var plan = DecisionCycle.Plan(View(IdleAction.Reclaim, TimeSpan.FromMinutes(40), 0.01), Options);
        Assert.Equal("job/notebook", Assert.Single(plan.Steps.OfType<IdleStep>()).Workload);
        Assert.Empty(plan.Steps.OfType<StopStep>());
        Assert.Contains(plan.Steps.OfType<RunningStep>(), s => s.Workload == "job/notebook");
        Assert.Empty(plan.Steps.OfType<AdmitStep>());
    }

    [Fact]
    public void Plan_IdlePastTheGrace_StopsItAndAdmitsNothingOnItsNodeUntilItsPodsAreGone()
    {
        var plan = DecisionCycle.Plan(View(IdleAction.Reclaim, TimeSpan.FromMinutes(50), 0.01), Options);
        var stop = Assert.Single(plan.Steps.OfType<StopStep>());
        Assert.Equal(("job/notebook", IdleGpus.ReclaimedReason), (stop.Workload, stop.Code));
        Assert.DoesNotContain(plan.Steps.OfType<RunningStep>(), s => s.Workload == "job/notebook");
        Assert.Contains(plan.Steps.OfType<AdmitStep>(), s => s.Workload == "job/train"); // a Job's pods are made by its controller after the old ones leave
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    [InlineData(7.0)]
    public void Plan_UnknownBusyOrLyingTelemetry_NeverStopsAnything(double? activity)
    {
        var plan = DecisionCycle.Plan(View(IdleAction.Reclaim, TimeSpan.FromHours(5), activity), Options);
        Assert.Empty(plan.Steps.OfType<StopStep>());
        Assert.Empty(plan.Steps.OfType<IdleStep>());
        Assert.Equal(activity is { } a && !(a is >= 0 and <= 1), plan.Warnings.Any(w => w.Contains("GPU activity", StringComparison.Ordinal)));
    }

    [Fact]
    public void Plan_NotifyOnly_NeverStops()
    {
        var plan = DecisionCycle.Plan(View(IdleAction.Notify, TimeSpan.FromHours(5), 0.0), Options);
        Assert.Single(plan.Steps.OfType<IdleStep>());
        Assert.Empty(plan.Steps.OfType<StopStep>());
    }
}
