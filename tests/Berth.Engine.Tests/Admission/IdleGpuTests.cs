using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>The engine's side of idle GPUs: activity a driver observes, the wake-ups it needs, and reclaim after the grace period.</summary>
public class IdleGpuTests
{
    private static AdmissionFixture Fixture(IdleAction action) => new(1, 8,
    [
        Make.Queue("q").Gpus(8).Build() with { IdleGpus = new IdleGpuPolicy { After = TimeSpan.FromMinutes(10), Below = 0.05, Action = action, Grace = TimeSpan.FromMinutes(5) } },
    ]);

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.PositiveInfinity)]
    public void ObserveActivity_OutOfRange_IsRefusedAndChangesNothing(double activity)
    {
        var f = Fixture(IdleAction.Reclaim);
        f.Submit(Make.Workload("w").In("q").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Throws<ArgumentOutOfRangeException>(() => f.Scheduler.ObserveActivity("w", activity));
        Assert.Null(f.Scheduler.Find("w")!.GpuActivity);
        f.Time.Advance(3600);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("w"));
    }

    [Fact]
    public void Reclaim_ObservedIdle_StopsAtAfterPlusGrace_WithWakeUpsAtEachStep()
    {
        var f = Fixture(IdleAction.Reclaim);
        f.Submit(Make.Workload("w").In("q").Pods(1, gpus: 8), Make.Workload("next").In("q").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Null(f.Scheduler.NextWakeUp); // activity unknown: never idle, nothing to wake for

        f.Scheduler.ObserveActivity("w", 0.01);
        f.Scheduler.Schedule();
        Assert.Equal(TimeSpan.FromMinutes(10), f.Scheduler.NextWakeUp);
        f.Scheduler.DrainEvents();

        f.Time.Advance(600);
        f.Scheduler.Schedule();
        var idle = Assert.Single(f.Scheduler.DrainEvents(), e => e.Kind == AdmissionEventKind.Idle);
        Assert.Equal(IdleGpus.IdleReason, idle.Reason);
        Assert.Equal(TimeSpan.FromMinutes(15), f.Scheduler.NextWakeUp);

        f.Time.Advance(299);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("w"));
        Assert.DoesNotContain(f.Scheduler.DrainEvents(), e => e.Kind == AdmissionEventKind.Idle); // reported once

        f.Time.Advance(1);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Failed, f.Phase("w"));
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("next"));
        var events = f.Scheduler.DrainEvents();
        Assert.Contains(events, e => e.Kind == AdmissionEventKind.Failed && e.Workload == "w" && e.Reason == IdleGpus.ReclaimedReason);
    }

    [Fact]
    public void Reclaim_BusyAgainBeforeTheGraceEnds_KeepsRunning()
    {
        var f = Fixture(IdleAction.Reclaim);
        f.Scheduler.Submit(Make.Workload("w").In("q").Pods(1, gpus: 8).Build() with { GpuActivity = 0.0 });
        f.Scheduler.Schedule();
        f.Time.Advance(700);
        f.Scheduler.Schedule();
        f.Scheduler.ObserveActivity("w", 0.4);
        f.Time.Advance(3600);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("w"));
    }

    [Theory]
    [InlineData(IdleAction.Notify)]
    [InlineData(IdleAction.PreemptFirst)]
    public void NotifyAndPreemptFirst_NeverStopAnIdleWorkloadOnTheirOwn(IdleAction action)
    {
        var f = Fixture(action);
        f.Scheduler.Submit(Make.Workload("w").In("q").Pods(1, gpus: 8).Build() with { GpuActivity = 0.0 });
        f.Submit(Make.Workload("next").In("q").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        f.Time.Advance(10 * 3600);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("w"));
        Assert.Equal(WorkloadPhase.Pending, f.Phase("next"));
        Assert.Single(f.Scheduler.DrainEvents(), e => e.Kind == AdmissionEventKind.Idle);
    }
}
