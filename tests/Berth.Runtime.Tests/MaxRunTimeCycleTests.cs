using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Cycle;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Runtime.Tests;

/// <summary>A running group past its max run time stops for good; its node is not given away until its pods are gone.</summary>
public class MaxRunTimeCycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static Workload Group(string id, TimeSpan? maxRunTime) => new(id)
    {
        Queue = "team-a",
        MaxRunTime = maxRunTime,
        PodSets = [new PodSet("main", 1, new Pod { Name = "p", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = 8, GpuMilli = Limits.GpuMilliPerGpu })],
    };

    /// <summary>A workload of <paramref name="kind"/> admitted <paramref name="ranFor"/> ago on n1 with a max run time of 1 h, and a group waiting for its GPUs.</summary>
    private static ClusterView View(WorkloadKind kind, TimeSpan ranFor) => new()
    {
        Now = Now,
        Configuration = new QueueConfiguration
        {
            Flavors = [new Flavor("a100")],
            Queues = [new Queue("team-a") { Flavors = [new FlavorQuota("a100") { Gpu = new ResourceQuota(16_000) }] }],
        },
        Nodes = [new ViewNode(new Node { Name = "n1", CpuMilli = 64_000, MemoryMiB = 512 * 1024, GpuCount = 8, GpuModel = "A100" }, true, true, 0)],
        Workloads =
        [
            new ViewWorkload
            {
                Id = "old", Kind = kind, Workload = Group("old", TimeSpan.FromHours(1)), Created = Now - ranFor, Running = true,
                Memo = new AdmissionMemo("a100", Now - ranFor, [new PlannedPlacement(0, "n1", 0xFF, 1000)]),
                Members = [new ViewPod("ns/old-0", "old-0", 0, Group("x", null).PodSets[0].Template, "n1", 0xFF, BerthScheduled: true)],
            },
            new ViewWorkload { Id = "next", Kind = WorkloadKind.PodGroup, Workload = Group("next", null), Created = Now.AddMinutes(-5), Members = [new ViewPod("ns/next-0", "next-0", 0, Group("x", null).PodSets[0].Template, null, null, BerthScheduled: true)] },
        ],
    };

    private static CycleOptions Options => new(new AdmissionOptions(), null);

    [Fact]
    public void Plan_GroupPastItsMaxRunTime_StopsItAndBindsNothingOnItsNode()
    {
        var plan = DecisionCycle.Plan(View(WorkloadKind.PodGroup, TimeSpan.FromHours(1)), Options);

        var stop = Assert.Single(plan.Steps.OfType<StopStep>());
        Assert.Equal(("old", WorkloadLifecycle.MaxRunTimeExceededReason), (stop.Workload, stop.Code));
        Assert.DoesNotContain(plan.Steps.OfType<RunningStep>(), s => s.Workload == "old");
        Assert.Empty(plan.Steps.OfType<BindStep>());
    }

    [Fact]
    public void Plan_GroupWithinItsMaxRunTime_RunsOn()
    {
        var plan = DecisionCycle.Plan(View(WorkloadKind.PodGroup, TimeSpan.FromMinutes(59)), Options);

        Assert.Empty(plan.Steps.OfType<StopStep>());
        Assert.Contains(plan.Steps.OfType<RunningStep>(), s => s.Workload == "old");
    }

    [Fact]
    public void Plan_JobPastItsMaxRunTime_IsLeftToItsOwnController()
    {
        var plan = DecisionCycle.Plan(View(WorkloadKind.Job, TimeSpan.FromHours(2)), Options);

        Assert.Empty(plan.Steps.OfType<StopStep>());
    }
}
