using Berth.Engine.Admission;
using Berth.Engine.Admission.Actions;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// The reclaim action (KAI Scheduler's reclaim): it takes back borrowed capacity only, through the preempt action's
/// search asked with the reclaim strategy alone. A profile names it where it should run, least disruptive first:
/// before <c>preempt</c>, it takes a borrower of another queue even where a victim of the preemptor's own queue would
/// lose less work (preempt alone evicts that one, which then reclaims the borrower anyway, losing its work for nothing).
/// </summary>
public class ReclaimActionTests
{
    private static readonly string[] AllocateOnly = [AdmissionActions.Allocate];
    private static readonly string[] Reclaim = [AdmissionActions.Allocate, AdmissionActions.Reclaim];
    private static readonly string[] Preempt = [AdmissionActions.Allocate, AdmissionActions.Preempt];
    private static readonly string[] ReclaimThenPreempt = [AdmissionActions.Allocate, AdmissionActions.Reclaim, AdmissionActions.Preempt];

    public static TheoryData<Case> Cases =>
    [
        new("without an evicting action, b waits for a to give its quota back", AllocateOnly, Evicted: []),
        new("the reclaim action takes a's newest borrower for b", Reclaim, Evicted: ["a3:Reclaimed"]),
        new("the reclaim action leaves b's own low-priority workload alone", Reclaim, Evicted: ["a3:Reclaimed"], OwnLowPriority: true),
        new("preempt alone takes b's own b1 (least work lost), which then takes a3 back: b1 restarts for nothing", Preempt, Evicted: ["b1:Preempted", "a3:Reclaimed"], OwnLowPriority: true),
        new("reclaim before preempt takes a's borrower first, though b's own lost less work", ReclaimThenPreempt, Evicted: ["a3:Reclaimed"], OwnLowPriority: true),
        new("reclaim does nothing for a queue whose policy never reclaims", Reclaim, Evicted: [], ReclaimPolicy: ReclaimPolicy.Never),
        new("reclaim does nothing for a queue that would borrow: fair share is the preempt action's", Reclaim, Evicted: [], BigRequest: true),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Schedule_QueueComesBackForItsQuota_TakesExactlyTheseVictims(Case c)
    {
        // One 8-GPU node; a and b have 4 GPUs of quota each in one cohort. Queue a borrows b's unused 4.
        var policy = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority, Reclaim = c.ReclaimPolicy, FairShare = true };
        var f = new AdmissionFixture(1, 8, [Make.Queue("a").InCohort("org").Gpus(4).Preempt(policy).Build(), Make.Queue("b").InCohort("org").Gpus(4).Preempt(policy).Build()],
            new AdmissionOptions { PlacementPolicy = "bestfit", Actions = c.Actions }, [AdmissionFixture.Cohort("org")]);
        Step(f, Make.Workload("a1").In("a").Pods(2, gpus: 1));
        Step(f, Make.Workload("a2").In("a").Pods(2, gpus: 1));
        Step(f, Make.Workload("a3").In("a").Pods(2, gpus: 1));
        Step(f, Make.Workload("b1").In("b").Pods(2, gpus: 1).Priority(c.OwnLowPriority ? -1 : 0));
        Assert.All(new[] { "a1", "a2", "a3", "b1" }, id => Assert.Equal(WorkloadPhase.Admitted, f.Phase(id)));
        f.Scheduler.DrainEvents();

        // b (2 of its 4 GPUs in use, the node full) asks for 2 more (or, with BigRequest, 4: then it would borrow).
        Step(f, Make.Workload("b2").In("b").Pods(c.BigRequest ? 4 : 2, gpus: 1));

        var evicted = f.Scheduler.DrainEvents().Where(e => e.Kind == AdmissionEventKind.Evicted).Select(e => $"{e.Workload}:{e.Reason}").ToArray();
        Assert.Equal(c.Evicted, evicted);
        Assert.Equal(c.Evicted.Length > 0 ? WorkloadPhase.Admitted : WorkloadPhase.Pending, f.Phase("b2"));
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("b1"));
    }

    [Fact]
    public void Registry_ReclaimAction_IsNamedAsItsStrategyAndValid()
    {
        Assert.Contains(AdmissionActions.Reclaim, AdmissionActions.Names);
        new AdmissionOptions { Actions = ReclaimThenPreempt }.Validate();
        Assert.Equal(ReclaimThenPreempt, new AdmissionOptions { Actions = ReclaimThenPreempt }.EffectiveActions);
    }

    private static void Step(AdmissionFixture f, WorkloadBuilder workload)
    {
        f.Time.Advance(10);
        f.Submit(workload.At(f.Scheduler.Now.TotalSeconds));
        f.Scheduler.Schedule();
    }

    public sealed record Case(string Name, string[] Actions, string[] Evicted, bool OwnLowPriority = false, ReclaimPolicy ReclaimPolicy = ReclaimPolicy.Any, bool BigRequest = false)
    {
        public override string ToString() => Name;
    }
}
