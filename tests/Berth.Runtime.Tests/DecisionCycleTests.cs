using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Cycle;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Runtime.Tests;

public class DecisionCycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly QueueConfiguration Config = new()
    {
        Flavors = [new Flavor("a100")],
        Queues = [new Queue("team-a") { Flavors = [new FlavorQuota("a100") { Gpu = new ResourceQuota(16_000) }] }],
    };

    private static ViewNode Node(string name, bool usable = true, bool healthy = true, int unhealthy = 0) =>
        new(new Node { Name = name, CpuMilli = 64_000, MemoryMiB = 512 * 1024, GpuCount = 8, GpuModel = "A100" }, usable, healthy, unhealthy);

    private static Workload Job(string id, int gpus) => new(id)
    {
        Queue = "team-a",
        PodSets = [new PodSet("main", 1, new Pod { Name = "p", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = gpus, GpuMilli = Limits.GpuMilliPerGpu })],
    };

    private static CycleOptions Options(TimeSpan? podsReady = null) =>
        new(AdmissionProfiles.Apply("fair-share+backfill+preemption", new AdmissionOptions()), podsReady);

    [Fact]
    public void Plan_PendingGangOfPods_IsAdmittedAndEveryPodBound()
    {
        var view = new ClusterView
        {
            Now = Now,
            Configuration = Config,
            Nodes = [Node("n1")],
            Workloads =
            [
                new ViewWorkload
                {
                    Id = "gang/a", Kind = WorkloadKind.Gang, Workload = Job("gang/a", 4), Created = Now,
                    Members = [new ViewPod("ns/a-0", "a-0", 0, Job("gang/a", 4).PodSets[0].Template, null, null, BerthScheduled: true)],
                },
            ],
        };
        var plan = DecisionCycle.Plan(view, Options());
        var admit = Assert.Single(plan.Steps.OfType<AdmitStep>());
        Assert.Equal("a100", admit.Flavor.Name);
        var bind = Assert.Single(plan.Steps.OfType<BindStep>());
        Assert.Equal(("ns/a-0", "n1", 4), (bind.Pod, bind.Node, System.Numerics.BitOperations.PopCount((uint)bind.GpuMask)));
    }

    [Fact]
    public void Plan_RunningOnNodeThatIsNotReady_IsRequeuedAsNodeUnhealthy()
    {
        var request = Job("job/a", 8).PodSets[0].Template;
        var view = new ClusterView
        {
            Now = Now,
            Configuration = Config,
            Nodes = [Node("n1", usable: false, healthy: false), Node("n2")],
            Workloads =
            [
                new ViewWorkload
                {
                    Id = "job/a", Kind = WorkloadKind.Job, Workload = Job("job/a", 8), Created = Now.AddHours(-1), Running = true,
                    Memo = new AdmissionMemo("a100", Now.AddHours(-1), [new PlannedPlacement(0, "n1", 0xFF, 1000)]),
                    Members = [new ViewPod("ns/a-0", "a-0", 0, request, "n1", 0xFF, BerthScheduled: true)],
                },
            ],
        };
        var plan = DecisionCycle.Plan(view, Options());
        var requeue = Assert.Single(plan.Steps.OfType<RequeueStep>());
        Assert.Equal(EvictionReason.NodeUnhealthy, requeue.Reason);
        Assert.Empty(plan.Steps.OfType<AdmitStep>()); // its pod still holds n1's GPUs; n2 is free but it waits as requeued
    }

    [Fact]
    public void Plan_PodsNotReadyPastTimeout_RequeuedWithBackoffStep()
    {
        var request = Job("pg/a", 8).PodSets[0].Template;
        var view = new ClusterView
        {
            Now = Now,
            Configuration = Config,
            Nodes = [Node("n1")],
            Workloads =
            [
                new ViewWorkload
                {
                    Id = "pg/a", Kind = WorkloadKind.PodGroup, Workload = Job("pg/a", 8), Created = Now.AddHours(-1), Running = true, Requeues = 1,
                    Memo = new AdmissionMemo("a100", Now.AddMinutes(-20), [new PlannedPlacement(0, "n1", 0xFF, 1000)]),
                    Members = [new ViewPod("ns/a-0", "a-0", 0, request, "n1", 0xFF, BerthScheduled: true)],
                    ReadyPods = 0,
                },
            ],
        };
        var plan = DecisionCycle.Plan(view, Options(TimeSpan.FromMinutes(10)));
        Assert.Equal(EvictionReason.GangNotReady, Assert.Single(plan.Steps.OfType<RequeueStep>()).Reason);
        var backoff = Assert.Single(plan.Steps.OfType<BackoffStep>());
        Assert.Equal(2, backoff.Requeues);
        Assert.Equal(Now + TimeSpan.FromMinutes(2), backoff.Until);
    }

    [Fact]
    public void Plan_UnusableNode_ItsFreeCapacityIsWithheldFromTheAllocationRatio()
    {
        var view = new ClusterView { Now = Now, Configuration = Config, Nodes = [Node("n1", usable: false), Node("n2", unhealthy: 0b11)] };
        var plan = DecisionCycle.Plan(view, Options());
        Assert.Equal(2, plan.UnhealthyGpus);
        Assert.Equal(0, plan.GpuAllocationRatio);
        Assert.Equal("n2", Assert.Single(Withholding.Listed(view)).Node);
    }
}
