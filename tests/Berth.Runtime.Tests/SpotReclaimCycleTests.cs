using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Cycle;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Runtime.Tests;

/// <summary>A node with a termination notice (a spot reclaim): its workloads checkpoint, then requeue; nothing new goes there.</summary>
public class SpotReclaimCycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly QueueConfiguration Config = new()
    {
        Flavors = [new Flavor("a100")],
        Queues = [new Queue("team-a") { Flavors = [new FlavorQuota("a100") { Gpu = new ResourceQuota(16_000) }] }],
    };

    private static ViewNode Node(string name, string? notice = null) =>
        new(new Node { Name = name, CpuMilli = 64_000, MemoryMiB = 512 * 1024, GpuCount = 8, GpuModel = "A100" }, true, true, 0) { TerminationNotice = notice };

    private static Workload Job(string id, int gpus) => new(id)
    {
        Queue = "team-a",
        PodSets = [new PodSet("main", 1, new Pod { Name = "p", CpuMilli = 1000, MemoryMiB = 1024, GpuCount = gpus, GpuMilli = Limits.GpuMilliPerGpu })],
    };

    private static ClusterView View(params ViewNode[] nodes)
    {
        var request = Job("job/a", 4).PodSets[0].Template;
        return new ClusterView
        {
            Now = Now,
            Configuration = Config,
            Nodes = nodes,
            Workloads =
            [
                new ViewWorkload
                {
                    Id = "job/a", Kind = WorkloadKind.Job, Workload = Job("job/a", 4), Created = Now.AddHours(-1), Running = true,
                    Memo = new AdmissionMemo("a100", Now.AddHours(-1), [new PlannedPlacement(0, "n1", 0x0F, 1000)]),
                    Members = [new ViewPod("ns/a-0", "a-0", 0, request, "n1", 0x0F, BerthScheduled: true)],
                },
                new ViewWorkload
                {
                    Id = "gang/b", Kind = WorkloadKind.Gang, Workload = Job("gang/b", 4), Created = Now,
                    Members = [new ViewPod("ns/b-0", "b-0", 0, request, null, null, BerthScheduled: true)],
                },
            ],
        };
    }

    private static CycleOptions Options => new(AdmissionProfiles.Apply("fair-share+backfill+preemption", new AdmissionOptions()), null);

    [Fact]
    public void Plan_RunningOnNodeWithTerminationNotice_CheckpointsThenRequeuesAsSpotReclaimed()
    {
        var plan = DecisionCycle.Plan(View(Node("n1", "taint aws-node-termination-handler/spot-itn"), Node("n2")), Options);

        var checkpoint = Assert.Single(plan.Steps.OfType<CheckpointStep>());
        Assert.Equal(("job/a", "ns/a-0"), (checkpoint.Workload, checkpoint.Pod));
        Assert.Contains("spot-itn", checkpoint.Message, StringComparison.Ordinal);
        var requeue = Assert.Single(plan.Steps.OfType<RequeueStep>());
        Assert.Equal(("job/a", EvictionReason.SpotReclaimed), (requeue.Workload, requeue.Reason));
        Assert.True(plan.Steps.IndexOf(checkpoint) < plan.Steps.IndexOf(requeue), "the checkpoint request comes before the requeue");
        Assert.Equal("SpotReclaimed", EvictionReason.SpotReclaimed.Code());
    }

    [Fact]
    public void Plan_NodeWithTerminationNotice_TakesNothingNew()
    {
        // n1 has 4 GPUs free beside job/a (gang/b takes them without the notice, below), but it is being reclaimed.
        var plan = DecisionCycle.Plan(View(Node("n1", "taint cloud.google.com/impending-node-termination")), Options);

        Assert.Empty(plan.Steps.OfType<BindStep>());
        Assert.DoesNotContain(plan.Steps.OfType<AdmitStep>(), a => a.Workload == "gang/b");
    }

    [Fact]
    public void Plan_WithoutTerminationNotice_NothingIsCheckpointedOrRequeued()
    {
        var plan = DecisionCycle.Plan(View(Node("n1")), Options);

        Assert.Empty(plan.Steps.OfType<CheckpointStep>());
        Assert.Empty(plan.Steps.OfType<RequeueStep>());
        var bind = Assert.Single(plan.Steps.OfType<BindStep>());
        Assert.Equal(("ns/b-0", "n1"), (bind.Pod, bind.Node));
    }
}
