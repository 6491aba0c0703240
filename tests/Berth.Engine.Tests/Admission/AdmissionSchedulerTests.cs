using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

public class AdmissionSchedulerTests
{
    private static readonly AdmissionOptions Preempting = new() { PlacementPolicy = "bestfit", Preemption = true };

    [Fact]
    public void Schedule_GangLargerThanFreeNodes_AdmitsNothingAndSaysGangIncomplete()
    {
        // 3 nodes x 4 GPUs, one with 2 GPUs taken; 3 pods of 3 GPUs: two fit, the third does not, so none is placed.
        var f = new AdmissionFixture(3, 4, [Make.Queue("q").Gpus(100).Build()]);
        f.Submit(Make.Workload("other").In("q").Pods(1, gpus: 2));
        f.Scheduler.Schedule();
        f.Submit(Make.Workload("w").In("q").Pods(3, gpus: 3));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Pending, f.Phase("w"));
        Assert.Equal(PendingReasonCode.GangIncomplete, f.Reason("w"));
        Assert.Equal(2000, f.Scheduler.Cluster.AllocatedGpuMilli);
    }

    [Fact]
    public void Schedule_QuotaLeft_AdmitsUpToQuotaThenSaysQuotaExceeded()
    {
        var f = new AdmissionFixture(4, 8, [Make.Queue("q").Gpus(8).Build()]);
        f.Submit(Make.Workload("a").In("q").Pods(1, gpus: 6), Make.Workload("b").In("q").Pods(1, gpus: 4));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("a"));
        Assert.Equal(PendingReasonCode.QuotaExceeded, f.Reason("b"));
        var reason = f.Scheduler.Find("b")!.Reason;
        Assert.Equal(4000, reason.Requested);
        Assert.Equal(2000, reason.Available);
        Assert.Equal("default", reason.Flavor);
    }

    [Fact]
    public void Schedule_CohortHasRoom_BorrowsUpToTheLimitAndNamesTheLimit()
    {
        var f = new AdmissionFixture(4, 8, [Make.Queue("a").InCohort("org").Gpus(4, borrow: 2).Build(), Make.Queue("b").InCohort("org").Gpus(8).Build()], cohorts: [AdmissionFixture.Cohort("org")]);
        f.Submit(Make.Workload("w1").In("a").Pods(1, gpus: 6), Make.Workload("w2").In("a").Pods(1, gpus: 1));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("w1")); // 4 nominal + 2 borrowed
        Assert.Equal(PendingReasonCode.BorrowingLimitReached, f.Reason("w2"));
    }

    [Fact]
    public void Schedule_StrictFifoHeadBlocked_NothingBehindItIsAdmitted()
    {
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(100).Strict().Build()]);
        f.Submit(Make.Workload("big").In("q").Pods(1, gpus: 8).At(0), Make.Workload("small").In("q").Pods(1, gpus: 1).At(1));
        f.Submit(Make.Workload("first").In("q").Pods(1, gpus: 4).At(-0)); // same submit time as big, submitted later: behind it
        f.Scheduler.Schedule();
        // big fits the empty node and goes first; nothing else fits after.
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("big"));
        Assert.Equal(WorkloadPhase.Pending, f.Phase("small"));
    }

    [Fact]
    public void Schedule_StrictVersusBestEffort_OnlyBestEffortLetsSmallPass()
    {
        foreach (var strict in new[] { true, false })
        {
            var queue = Make.Queue("q").Gpus(100);
            var f = new AdmissionFixture(1, 8, [strict ? queue.Strict().Build() : queue.Build()]);
            f.Submit(Make.Workload("running").In("q").Pods(1, gpus: 4).At(0));
            f.Scheduler.Schedule();
            f.Submit(Make.Workload("big").In("q").Pods(1, gpus: 8).At(1), Make.Workload("small").In("q").Pods(1, gpus: 2).At(2));
            f.Scheduler.Schedule();
            Assert.Equal(strict ? WorkloadPhase.Pending : WorkloadPhase.Admitted, f.Phase("small"));
            Assert.Equal(1, f.Scheduler.PositionInQueue("big"));
        }
    }

    [Fact]
    public void Schedule_HigherPriorityInSameQueue_PreemptsLowerPriority()
    {
        var policy = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority };
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Preempt(policy).Build()], Preempting);
        f.Submit(Make.Workload("low").In("q").Pods(1, gpus: 8).Priority(0));
        f.Scheduler.Schedule();
        f.Submit(Make.Workload("high").In("q").Pods(1, gpus: 8).Priority(10));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("high"));
        Assert.Equal(WorkloadPhase.Pending, f.Phase("low"));
        var evicted = f.Scheduler.DrainEvents().Single(e => e.Kind == AdmissionEventKind.Evicted);
        Assert.Equal(("low", "Preempted", "high"), (evicted.Workload, evicted.Reason, evicted.By));
    }

    [Fact]
    public void Schedule_PreemptionOffInProfile_NeverPreempts()
    {
        var policy = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority };
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Preempt(policy).Build()]);
        f.Submit(Make.Workload("low").In("q").Pods(1, gpus: 8).Priority(0));
        f.Scheduler.Schedule();
        f.Submit(Make.Workload("high").In("q").Pods(1, gpus: 8).Priority(10));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("low"));
    }

    [Fact]
    public void Schedule_NonPreemptibleVictim_IsNeverEvicted()
    {
        var policy = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority };
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Preempt(policy).Build()], Preempting);
        f.Submit(Make.Workload("low").In("q").Pods(1, gpus: 8).Priority(0).NotPreemptible());
        f.Scheduler.Schedule();
        f.Submit(Make.Workload("high").In("q").Pods(1, gpus: 8).Priority(10));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("low"));
        Assert.Equal(WorkloadPhase.Pending, f.Phase("high"));
    }

    [Fact]
    public void Schedule_VictimYoungerThanMinRuntime_WaitsThenPreempts()
    {
        var policy = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority };
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Preempt(policy).MinRuntime(600).Build()], Preempting);
        f.Submit(Make.Workload("low").In("q").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        f.Time.Advance(100);
        f.Submit(Make.Workload("high").In("q").Pods(1, gpus: 8).Priority(10).At(100));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("low"));
        Assert.Equal(TimeSpan.FromSeconds(600), f.Scheduler.NextWakeUp);
        f.Time.Advance(500);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("high"));
    }

    [Fact]
    public void Schedule_QueueBelowNominal_ReclaimsWhatOthersBorrowed()
    {
        var reclaim = new QueuePreemption { Reclaim = ReclaimPolicy.Any };
        var f = new AdmissionFixture(2, 8, [Make.Queue("a").InCohort("org").Gpus(8).Preempt(reclaim).Build(), Make.Queue("b").InCohort("org").Gpus(8).Build()], Preempting, [AdmissionFixture.Cohort("org")]);
        f.Submit(Make.Workload("b1").In("b").Pods(1, gpus: 8), Make.Workload("b2").In("b").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("b2")); // b borrows a's idle 8
        f.Submit(Make.Workload("a1").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("a1"));
        var evicted = f.Scheduler.DrainEvents().Where(e => e.Kind == AdmissionEventKind.Evicted).ToArray();
        Assert.Single(evicted);
        Assert.Equal("Reclaimed", evicted[0].Reason);
    }

    [Fact]
    public void Schedule_VictimChoice_PrefersLeastWorkLostSinceCheckpoint()
    {
        // Both victims ran 1000 s; "saved" checkpoints every 300 s (loses 100 s), "unsaved" never (loses 1000 s).
        var policy = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority };
        var f = new AdmissionFixture(2, 8, [Make.Queue("q").Gpus(16).Preempt(policy).Build()], Preempting);
        f.Submit(Make.Workload("unsaved").In("q").Pods(1, gpus: 8), Make.Workload("saved").In("q").Pods(1, gpus: 8).Checkpoint(300));
        f.Scheduler.Schedule();
        f.Time.Advance(1000);
        f.Submit(Make.Workload("high").In("q").Pods(1, gpus: 8).Priority(5).At(1000));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Pending, f.Phase("saved"));
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("unsaved"));
    }

    [Fact]
    public void Submit_LargerThanQueueCouldEverHold_FailsAtOnceAsNeverFits()
    {
        var f = new AdmissionFixture(2, 8, [Make.Queue("q").Gpus(4).Build()]);
        f.Submit(Make.Workload("huge").In("q").Pods(1, gpus: 8));
        Assert.Equal(WorkloadPhase.Failed, f.Phase("huge"));
        Assert.Equal(PendingReasonCode.NeverFits, f.Reason("huge"));
        Assert.Contains("could ever hold", f.Scheduler.Find("huge")!.Reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schedule_ElasticWorkload_RunsWithWhatFitsBetweenMinAndMax()
    {
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Build()]);
        f.Submit(Make.Workload("other").In("q").Pods(1, gpus: 3));
        f.Scheduler.Schedule();
        f.Submit(Make.Workload("elastic").In("q").Pods(8, gpus: 1, min: 2));
        f.Scheduler.Schedule();
        var state = f.Scheduler.Find("elastic")!;
        Assert.Equal(WorkloadPhase.Admitted, state.Phase);
        Assert.Equal(5, state.PodCount);
    }

    [Fact]
    public void SetStopPolicy_HoldAndDrain_EvictsRunningAndAdmitsNothing()
    {
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Build()]);
        f.Submit(Make.Workload("a").In("q").Pods(1, gpus: 2));
        f.Scheduler.Schedule();
        f.Scheduler.SetStopPolicy("q", StopPolicy.HoldAndDrain);
        f.Submit(Make.Workload("b").In("q").Pods(1, gpus: 2));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Pending, f.Phase("a"));
        Assert.Equal(PendingReasonCode.QueueHeld, f.Reason("a"));
        Assert.Equal(PendingReasonCode.QueueHeld, f.Reason("b"));
        f.Scheduler.SetStopPolicy("q", StopPolicy.None);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("a"));
    }

    [Fact]
    public void Schedule_Backfill_ReservesForStarvingHeadAndLetsOnlyShortJobsUseItsNodes()
    {
        var options = new AdmissionOptions { PlacementPolicy = "bestfit", Backfill = true, StarvationThreshold = TimeSpan.Zero };
        var f = new AdmissionFixture(2, 8, [Make.Queue("q").Gpus(100).Build()], options);
        f.Submit(Make.Workload("r1").In("q").Pods(1, gpus: 8).Runs(1000), Make.Workload("r2").In("q").Pods(1, gpus: 4).Runs(500));
        f.Scheduler.Schedule();
        f.Time.Advance(10);
        f.Submit(Make.Workload("big").In("q").Pods(2, gpus: 8).At(10).Runs(100));
        f.Scheduler.Schedule();
        f.Scheduler.Schedule(); // the reservation is taken once big has been tried
        Assert.Equal(PendingReasonCode.WaitingForReservation, f.Reason("big"));
        Assert.Equal(TimeSpan.FromSeconds(1000), f.Scheduler.EstimateStart("big"));
        f.Submit(Make.Workload("long").In("q").Pods(1, gpus: 2).At(10).Runs(5000), Make.Workload("short").In("q").Pods(1, gpus: 2).At(11).Runs(900));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("short"));
        Assert.Equal(WorkloadPhase.Pending, f.Phase("long"));
        Assert.Equal(PendingReasonCode.BlockedByReservation, f.Reason("long"));
    }

    [Fact]
    public void EstimateStarts_QueueBehindRunningWork_FollowsExpectedEndsAndChangesNothing()
    {
        // One 8-GPU node; a runs (8 GPUs, 100 s). Pending in order: b (8 GPUs, 50 s), c and d (4 GPUs each):
        // b starts when a ends (100 s), c and d together when b ends (150 s).
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Strict().Build()]);
        f.Submit(Make.Workload("a").In("q").Pods(1, gpus: 8).Runs(100));
        f.Scheduler.Schedule();
        f.Submit(Make.Workload("b").In("q").Pods(1, gpus: 8).Runs(50).At(1), Make.Workload("c").In("q").Pods(1, gpus: 4).Runs(10).At(2), Make.Workload("d").In("q").Pods(1, gpus: 4).Runs(30).At(3));
        f.Scheduler.Schedule();
        var allocated = f.Scheduler.Cluster.AllocatedGpuMilli;

        var starts = f.Scheduler.EstimateStarts();

        Assert.Equal(TimeSpan.FromSeconds(100), starts["b"]);
        Assert.Equal(TimeSpan.FromSeconds(150), starts["c"]);
        Assert.Equal(TimeSpan.FromSeconds(150), starts["d"]);
        Assert.False(starts.ContainsKey("a"));
        Assert.Equal(allocated, f.Scheduler.Cluster.AllocatedGpuMilli);
        Assert.Equal(8000, f.Scheduler.Quotas.Usage(0, 0, Model.Queueing.ResourceKind.Gpu));
        Assert.Equal(starts, f.Scheduler.EstimateStarts());
        Assert.Equal(TimeSpan.FromSeconds(150), f.Scheduler.EstimateStart("d"));
    }
}
