using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission.Strategies;

/// <summary>
/// Fair share takes only what the victim's queue borrows in the preemptor's flavor. Queue x borrows half of flavor b
/// (its share, 0.5, comes from there) and a little in flavor a; queue y (weight 2, flavor a only) asks for more than is
/// free there, which makes it borrow (share 0.25 or less). Were fair share to take x below its nominal quota in a (as it
/// did: x's share stays 0.5 whatever it loses in a), x's evicted work, back within that quota, would at once reclaim
/// it from y, which then borrows, and the two would take turns: in the first case, before the fix, x3 and x2 were evicted
/// for y2, y2 was reclaimed by x2, x2 and x3 came back, and so on until the cycle's guard threw "admission did not settle".
/// </summary>
public class FairShareAgainstReclaimTests
{
    public static TheoryData<Case> Cases =>
    [
        new("x borrows 1 GPU in a and y needs 3 more than is free: y waits, nothing is evicted", X3Gpus: 1, Y2Gpus: 8, Evicted: [], XUsageInA: 5),
        new("x borrows 4 GPUs in a and y needs 3 more than is free: fair share takes x3, x keeps its nominal 4", X3Gpus: 4, Y2Gpus: 5, Evicted: ["x3:FairSharePreempted"], XUsageInA: 4),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Schedule_FairShareVictimQueueWouldReclaim_Settles(Case c)
    {
        var f = Build();
        Submit(f, Make.Workload("xb").In("x").Pods(8, gpus: 1));
        Submit(f, Make.Workload("y1").In("y").Pods(2, gpus: 1));
        Submit(f, Make.Workload("x1").In("x").Pods(2, gpus: 1));
        Submit(f, Make.Workload("x2").In("x").Pods(2, gpus: 1));
        Submit(f, Make.Workload("x3").In("x").Pods(c.X3Gpus, gpus: 1));
        Assert.All(new[] { "xb", "y1", "x1", "x2", "x3" }, id => Assert.Equal(WorkloadPhase.Admitted, f.Scheduler.Find(id)!.Phase));
        Assert.Equal(1, f.Scheduler.Find("xb")!.Flavor); // x's share comes from flavor b
        f.Scheduler.DrainEvents();

        Submit(f, Make.Workload("y2").In("y").Pods(c.Y2Gpus, gpus: 1));

        var evicted = f.Scheduler.DrainEvents().Where(e => e.Kind == AdmissionEventKind.Evicted).Select(e => $"{e.Workload}:{e.Reason}").ToArray();
        Assert.Equal(c.Evicted, evicted);
        Assert.Equal(c.Evicted.Length > 0 ? WorkloadPhase.Admitted : WorkloadPhase.Pending, f.Scheduler.Find("y2")!.Phase);
        Assert.Equal(c.XUsageInA * 1000L, f.Scheduler.Workloads.Where(w => w.Workload.Queue == "x" && w.Phase == WorkloadPhase.Admitted && w.Flavor == 0).Sum(w => w.Usage.GpuMilli));
    }

    private static void Submit(Fixture f, WorkloadBuilder workload)
    {
        f.Time.Advance(1);
        f.Scheduler.Submit(workload.At(f.Scheduler.Now.TotalSeconds).Build());
        f.Scheduler.Schedule();
    }

    private static Fixture Build()
    {
        // Flavor a: 12 GPUs, quotas x 4, y 4 and z 4. Flavor b: 8 GPUs, quotas x 4 and z 4. Queue z runs nothing: it lends.
        Flavor[] flavors = [new("a") { NodeLabels = new Dictionary<string, string> { ["pool"] = "a" } }, new("b") { NodeLabels = new Dictionary<string, string> { ["pool"] = "b" } }];
        var policy = new QueuePreemption { Reclaim = ReclaimPolicy.Any, FairShare = true };
        Queue[] queues =
        [
            Make.Queue("x").InCohort("org").Gpus(4, flavor: "b").Gpus(4, flavor: "a").Preempt(policy).Fungibility(new FlavorFungibility { BorrowBeforeNextFlavor = true }).Build(),
            Make.Queue("y").InCohort("org").Gpus(4, flavor: "a").Weight(2).Preempt(policy).Build(),
            Make.Queue("z").InCohort("org").Gpus(4, flavor: "a").Gpus(4, flavor: "b").Build(),
        ];
        var nodes = new[] { Node("na1", 8, "a"), Node("na2", 4, "a"), Node("nb", 8, "b") };
        var config = new QueueConfiguration { Flavors = flavors, Cohorts = [new Cohort("org")], Queues = queues };
        var time = new ManualTime();
        return new Fixture(new AdmissionScheduler(nodes, config, new AdmissionOptions { PlacementPolicy = "bestfit", Preemption = true, Order = CandidateOrder.Fifo }, time), time);
    }

    private static Model.Node Node(string name, int gpus, string pool) => Make.Node(name).Cpu(64_000).Memory(512 * 1024).Gpus(gpus).Label("pool", pool).Build();

    public sealed record Case(string Name, int X3Gpus, int Y2Gpus, string[] Evicted, int XUsageInA)
    {
        public override string ToString() => Name;
    }

    private sealed record Fixture(AdmissionScheduler Scheduler, ManualTime Time);
}
