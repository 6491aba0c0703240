using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>Non-preemptible work runs only within its queue's nominal quota (Run:ai, KAI): it may not borrow.</summary>
public class NonPreemptibleQuotaTests
{
    private static readonly AdmissionOptions Preempting = new() { PlacementPolicy = "bestfit", Preemption = true };

    private static AdmissionFixture TwoQueues() => new(
        2,
        8,
        [
            Make.Queue("a").InCohort("org").Gpus(8).Preempt(new QueuePreemption { Reclaim = ReclaimPolicy.Any }).Build(),
            Make.Queue("b").InCohort("org").Gpus(8).Build(),
        ],
        Preempting,
        [AdmissionFixture.Cohort("org")]);

    [Fact]
    public void Schedule_NonPreemptibleBorrower_IsNotAdmittedPastNominalAndOwnerGetsItsNominal()
    {
        var f = TwoQueues();
        f.Submit(Make.Workload("b1").In("b").Pods(1, gpus: 8).NotPreemptible(), Make.Workload("b2").In("b").Pods(1, gpus: 8).NotPreemptible());
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("b1")); // within b's nominal 8
        Assert.Equal(WorkloadPhase.Pending, f.Phase("b2")); // a's 8 are idle, but b2 would have to borrow them
        var reason = f.Scheduler.Find("b2")!.Reason;
        Assert.Equal(PendingReasonCode.QuotaExceeded, reason.Code);
        Assert.Contains("non-preemptible work runs only within the queue's nominal quota", reason.Message, StringComparison.Ordinal);
        Assert.Contains("mark the workload preemptible", reason.Unblock, StringComparison.Ordinal);
        Assert.Equal(8000, reason.Requested);
        Assert.Equal(0, reason.Available);

        f.Submit(Make.Workload("a1").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("a1"));
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("b1"));
        Assert.DoesNotContain(f.Scheduler.DrainEvents(), e => e.Kind == AdmissionEventKind.Evicted);
    }

    [Fact]
    public void Schedule_PreemptibleBorrowerBesideNonPreemptible_StillBorrows()
    {
        var f = TwoQueues();
        f.Submit(Make.Workload("b1").In("b").Pods(1, gpus: 8).NotPreemptible(), Make.Workload("b2").In("b").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("b1"));
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("b2")); // preemptible: borrows a's idle 8

        f.Submit(Make.Workload("a1").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("a1"));
        var evicted = f.Scheduler.DrainEvents().Where(e => e.Kind == AdmissionEventKind.Evicted).Select(e => e.Workload).ToArray();
        Assert.Equal(["b2"], evicted); // the borrower is reclaimed, the non-preemptible one stays
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("b1"));
    }

    [Fact]
    public void Submit_NonPreemptibleLargerThanNominal_FailsAsNeverFitsThoughBorrowingWouldHoldIt()
    {
        var f = TwoQueues();
        f.Submit(Make.Workload("big").In("b").Pods(2, gpus: 8).NotPreemptible());
        Assert.Equal(WorkloadPhase.Failed, f.Phase("big"));
        Assert.Equal(PendingReasonCode.NeverFits, f.Reason("big"));
        Assert.Contains("non-preemptible", f.Scheduler.Find("big")!.Reason.Message, StringComparison.Ordinal);
        Assert.Contains("nominal", f.Scheduler.Find("big")!.Reason.Message, StringComparison.Ordinal);

        f.Submit(Make.Workload("same").In("b").Pods(2, gpus: 8)); // preemptible: the cohort's 16 can hold it
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("same"));
    }
}
