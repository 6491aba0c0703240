using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Loop;
using Berth.Runtime.Plan;
using Berth.TestKit;

namespace Berth.Runtime.Tests.Loop;

/// <summary>
/// The persistent loop applies the lifecycle rules by itself, with no simulator around it: a driver reports what
/// happened and acts on the steps it gets back.
/// </summary>
public class WorkloadLoopTests
{
    private static readonly AdmissionOptions Options = new() { GangReadyTimeout = TimeSpan.FromMinutes(5), BackoffBase = TimeSpan.FromMinutes(1), BackoffLimit = 2 };

    private static (WorkloadLoop Loop, ManualTime Time) Make8GpuLoop()
    {
        var time = new ManualTime();
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("q").Gpus(8).Build()] };
        return (new WorkloadLoop([Make.Node("n1").Gpus(8, "A100").Build()], config, Options, time), time);
    }

    private static Workload Gang(string id, int pods = 2) => Make.Workload(id).In("q").Pods(pods, gpus: 4).Build();

    [Fact]
    public void ReadyDeadlinePassed_GangNeverReady_IsRequeuedWithDoublingBackoffThenFailsAtTheLimit()
    {
        var (loop, time) = Make8GpuLoop();
        loop.Arrived(Gang("g"));
        Assert.Single(loop.Cycle().Steps.OfType<AdmitStep>());

        var backoffs = new List<TimeSpan>();
        for (var attempt = 1; attempt <= Options.BackoffLimit; attempt++)
        {
            time.Advance(Options.GangReadyTimeout.TotalSeconds);
            loop.ReadyDeadlinePassed("g");
            var steps = loop.Cycle().Steps;
            var backoff = Assert.Single(steps.OfType<BackoffStep>());
            Assert.Equal(attempt, backoff.Requeues);
            backoffs.Add(backoff.Until - time.GetUtcNow());
            Assert.Equal(EvictionReason.GangNotReady, Assert.Single(steps.OfType<RequeueStep>()).Reason);
            Assert.Empty(steps.OfType<AdmitStep>()); // still in its backoff

            time.Advance(backoffs[^1].TotalSeconds - 1);
            Assert.Empty(loop.Cycle().Steps.OfType<AdmitStep>());
            time.Advance(1);
            Assert.Single(loop.Cycle().Steps.OfType<AdmitStep>());
        }

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)], backoffs);
        time.Advance(Options.GangReadyTimeout.TotalSeconds);
        loop.ReadyDeadlinePassed("g");
        var last = loop.Cycle().Steps;
        Assert.Equal(EvictionReason.GangNotReady.Code(), Assert.Single(last.OfType<StopStep>()).Code);
        Assert.Empty(last.OfType<BackoffStep>());
        Assert.Equal(0, loop.Engine.PendingCount(0)); // failed for good: not back in its queue
    }

    [Fact]
    public void ChecksAnswered_RetryPastTheLimit_FailsWithTheRejectedReason()
    {
        var (loop, time) = Make8GpuLoop();
        loop.Arrived(Gang("g"));
        loop.Cycle();
        for (var retry = 0; retry < Options.BackoffLimit; retry++)
        {
            Assert.False(loop.ChecksAnswered("g", retry: true));
            var requeue = Assert.Single(loop.Cycle().Steps.OfType<RequeueStep>());
            Assert.Equal(EvictionReason.AdmissionCheckRetry, requeue.Reason);
            time.Advance(3600);
            Assert.Single(loop.Cycle().Steps.OfType<AdmitStep>());
        }

        Assert.Equal(Options.BackoffLimit, loop.CheckRetries("g"));
        Assert.False(loop.ChecksAnswered("g", retry: true));
        Assert.Equal(WorkloadLifecycle.AdmissionCheckRejectedReason, Assert.Single(loop.Cycle().Steps.OfType<StopStep>()).Code);
    }

    [Fact]
    public void ChecksAnswered_Ready_StartsAndChangesNothing()
    {
        var (loop, _) = Make8GpuLoop();
        loop.Arrived(Gang("g"));
        loop.Cycle();

        Assert.True(loop.ChecksAnswered("g", retry: false));
        Assert.Empty(loop.Cycle().Steps.OfType<RequeueStep>());
        Assert.Equal(0, loop.CheckRetries("g"));
    }

    [Fact]
    public void Cycle_AdmissionThenEnds_GiveAdmitCompletedAndMaxRunTimeStopSteps()
    {
        var (loop, _) = Make8GpuLoop();
        loop.Arrived(Gang("done", pods: 1));
        loop.Arrived(Gang("overdue", pods: 1));
        var admitted = loop.Cycle().Steps.OfType<AdmitStep>().ToArray();
        Assert.Equal(["done", "overdue"], admitted.Select(a => a.Workload).Order(StringComparer.Ordinal));
        Assert.All(admitted, a => Assert.Equal((1, 4000L, 1), (a.Pods, a.GpuMilli, a.Memo.Pods.Count)));

        loop.Finished("done");
        loop.RanOutOfTime("overdue");
        var steps = loop.Cycle().Steps;

        Assert.Equal("done", Assert.Single(steps.OfType<CompletedStep>()).Workload);
        var stop = Assert.Single(steps.OfType<StopStep>());
        Assert.Equal(("overdue", WorkloadLifecycle.MaxRunTimeExceededReason), (stop.Workload, stop.Code));
    }

    [Fact]
    public void ReadyDeadline_StartupPastTheTimeout_IsTheTimeoutElseNone()
    {
        var (loop, _) = Make8GpuLoop();

        Assert.Equal(Options.GangReadyTimeout, loop.ReadyDeadline(Options.GangReadyTimeout + TimeSpan.FromSeconds(1)));
        Assert.Null(loop.ReadyDeadline(Options.GangReadyTimeout));
    }

    [Fact]
    public void Cycle_HigherPriorityArrives_RequeuesTheVictimAsAPreemptionNamingWhomItMadeRoomFor()
    {
        var time = new ManualTime();
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("q").Gpus(8).Preempt(QueuePreemption.Full).Build()] };
        var loop = new WorkloadLoop([Make.Node("n1").Gpus(8, "A100").Build()], config, AdmissionProfiles.Apply("strict-fifo+preemption", Options), time);
        loop.Arrived(Make.Workload("low").In("q").Pods(1, gpus: 8).Priority(0).Build());
        loop.Cycle();
        time.Advance(60);

        loop.Arrived(Make.Workload("high").In("q").Pods(1, gpus: 8).Priority(10).Build());
        var steps = loop.Cycle().Steps;

        var requeue = Assert.Single(steps.OfType<RequeueStep>());
        Assert.Equal(("low", "high"), (requeue.Workload, requeue.By));
        Assert.True(requeue.Reason.IsPreemption());
        Assert.Equal("high", Assert.Single(steps.OfType<AdmitStep>()).Workload);
    }
}
