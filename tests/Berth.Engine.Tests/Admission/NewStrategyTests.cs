using Berth.Engine.Admission;
using Berth.Engine.Admission.Strategies;
using Berth.Engine.Tests.Admission.Strategies.EqualPriority;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// "A new strategy is one folder, one registry line and one scenario": <see cref="EqualPriorityStrategy"/> lives in
/// its own folder, is added to the registry in one line, and this scenario shows the preempt action asking it.
/// </summary>
public class NewStrategyTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Schedule_StrategyAddedToTheRegistry_IsAskedByThePreemptAction(bool registered)
    {
        // Within-queue preemption of lower priority only: the built-in strategies leave an equal-priority workload alone.
        var policy = new QueuePreemption { WithinQueue = WithinQueuePreemption.LowerPriority };
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Preempt(policy).Build()], new AdmissionOptions { PlacementPolicy = "bestfit", Preemption = true });
        if (registered)
        {
            f.Scheduler.Strategies = [.. PreemptionStrategies.All, new EqualPriorityStrategy()]; // the one registry line
        }

        f.Submit(Make.Workload("first").In("q").Pods(1, gpus: 8).Priority(5));
        f.Scheduler.Schedule();
        f.Time.Advance(60);
        f.Submit(Make.Workload("second").In("q").Pods(1, gpus: 8).Priority(5));
        f.Scheduler.Schedule();

        Assert.Equal(registered ? WorkloadPhase.Admitted : WorkloadPhase.Pending, f.Phase("second"));
        Assert.Equal(registered ? WorkloadPhase.Pending : WorkloadPhase.Admitted, f.Phase("first"));
        var evictions = f.Scheduler.DrainEvents().Where(e => e.Kind == AdmissionEventKind.Evicted).ToArray();
        Assert.Equal(registered ? ["first:EqualPriorityPreempted"] : [], evictions.Select(e => $"{e.Workload}:{e.Reason}"));
    }
}
