using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission.Serving;

/// <summary>
/// Serving scale-ups against a training backlog in one cohort, under <c>fair-share+backfill+preemption</c>: an
/// <c>inference</c> queue (nominal 8 GPUs, reclaims from lower-priority borrowers) and a <c>training</c> queue
/// (nominal 8 GPUs) share 16 GPUs; training borrows inference's idle 8. A serving replica (priority 1000) that
/// arrives pending starts in the very next cycle by evicting training, unless the training queue's minimum runtime
/// or disruption budget says not yet; a replica that ends (scale-down) frees its quota for training at once.
/// </summary>
public sealed class ServingPreemptionTests
{
    private const int Serving = 1000;

    private static readonly QueuePreemption InferencePolicy = new() { WithinQueue = WithinQueuePreemption.LowerPriority, Reclaim = ReclaimPolicy.LowerPriority };

    [Fact]
    public void Schedule_ReplicaArrivesWhileTrainingBorrows_StartsInTheNextCycleByEvictingOneTrainingJob()
    {
        var f = Fleet(Make.Queue("training").InCohort("fleet").Gpus(8).Build());
        FillWithTraining(f);

        f.Scheduler.Submit(Replica("svc-0"));
        f.Scheduler.Schedule();

        Assert.Equal(WorkloadPhase.Admitted, f.Phase("svc-0"));
        var evicted = f.Scheduler.DrainEvents().Where(e => e.Kind == AdmissionEventKind.Evicted).ToArray();
        var victim = Assert.Single(evicted);
        Assert.StartsWith("train-", victim.Workload, StringComparison.Ordinal);
        Assert.Equal(4000, f.Scheduler.Quotas.Usage(QueueIndex(f, "inference"), 0, ResourceKind.Gpu));
    }

    [Fact]
    public void Schedule_ReplicaAndTrainingInOneQueue_PreemptsLowerPriorityTrainingInTheNextCycle()
    {
        var f = new AdmissionFixture(2, 8, [Make.Queue("inference").Gpus(16).Preempt(InferencePolicy).Build()], Profile());
        for (var i = 0; i < 4; i++)
        {
            f.Scheduler.Submit(Make.Workload($"train-{i}").In("inference").Pods(1, gpus: 4).Build());
        }

        f.Scheduler.Schedule();
        f.Scheduler.Submit(Replica("svc-0"));
        f.Scheduler.Schedule();

        Assert.Equal(WorkloadPhase.Admitted, f.Phase("svc-0"));
        Assert.Equal(3, Enumerable.Range(0, 4).Count(i => f.Phase($"train-{i}") == WorkloadPhase.Admitted));
    }

    [Fact]
    public void Schedule_TrainingYoungerThanItsMinimumRuntime_ReplicaWaitsUntilItPasses()
    {
        var f = Fleet(Make.Queue("training").InCohort("fleet").Gpus(8).MinRuntime(600).Build());
        FillWithTraining(f);
        f.Time.Advance(100);

        f.Scheduler.Submit(Replica("svc-0", at: 100));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Pending, f.Phase("svc-0"));
        Assert.Equal(TimeSpan.FromSeconds(600), f.Scheduler.NextWakeUp);

        f.Time.Advance(500);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("svc-0"));
    }

    [Fact]
    public void Schedule_TrainingDisruptionBudgetOfOne_SecondReplicaWaitsForTheWindow()
    {
        var training = Make.Queue("training").InCohort("fleet").Gpus(8).Build() with { DisruptionBudget = 1, DisruptionWindow = TimeSpan.FromMinutes(10) };
        var f = Fleet(training);
        FillWithTraining(f);

        f.Scheduler.Submit(Replica("svc-0"));
        f.Scheduler.Submit(Replica("svc-1"));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("svc-0"));
        Assert.Equal(WorkloadPhase.Pending, f.Phase("svc-1"));

        f.Time.Advance(600);
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("svc-1"));
    }

    [Fact]
    public void Finish_ReplicaScaledDown_FreesItsQuotaForTrainingInTheNextCycle()
    {
        var f = Fleet(Make.Queue("training").InCohort("fleet").Gpus(8).Build());
        f.Scheduler.Submit(Replica("svc-0"));
        f.Scheduler.Submit(Replica("svc-1"));
        f.Scheduler.Schedule();
        for (var i = 0; i < 3; i++)
        {
            f.Scheduler.Submit(Make.Workload($"train-{i}").In("training").Pods(1, gpus: 4).Build());
        }

        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Pending, f.Phase("train-2"));

        f.Scheduler.Finish("svc-1");
        Assert.Equal(4000, f.Scheduler.Quotas.Usage(QueueIndex(f, "inference"), 0, ResourceKind.Gpu));
        f.Scheduler.Schedule();

        Assert.Equal(WorkloadPhase.Admitted, f.Phase("train-2"));
    }

    [Fact]
    public void Schedule_TrainingOfEqualPriority_IsNotReclaimed()
    {
        // The contrast: reclaim is for lower-priority borrowers only, so a replica without serving priority waits.
        var f = Fleet(Make.Queue("training").InCohort("fleet").Gpus(8).Build());
        FillWithTraining(f);

        f.Scheduler.Submit(Replica("svc-0") with { Priority = 0 });
        f.Scheduler.Schedule();

        Assert.Equal(WorkloadPhase.Pending, f.Phase("svc-0"));
    }

    private static AdmissionOptions Profile() => AdmissionProfiles.Apply("fair-share+backfill+preemption", new AdmissionOptions { PlacementPolicy = "bestfit" });

    private static AdmissionFixture Fleet(Queue training) => new(2, 8,
        [Make.Queue("inference").InCohort("fleet").Gpus(8).Preempt(InferencePolicy).Build(), training], Profile(), [AdmissionFixture.Cohort("fleet")]);

    /// <summary>Four training jobs of 4 GPUs: all 16 GPUs, 8 of them borrowed from inference.</summary>
    private static void FillWithTraining(AdmissionFixture f)
    {
        for (var i = 0; i < 4; i++)
        {
            f.Scheduler.Submit(Make.Workload($"train-{i}").In("training").Pods(1, gpus: 4).Build());
        }

        f.Scheduler.Schedule();
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(WorkloadPhase.Admitted, f.Phase($"train-{i}")));
    }

    private static Workload Replica(string id, double at = 0) =>
        Make.Workload(id).In("inference").Pods(1, gpus: 4).Priority(Serving).At(at).Build() with { ServingGroup = "svc" };

    private static int QueueIndex(AdmissionFixture f, string name) => f.Config.Queues.Select(q => q.Name).ToList().IndexOf(name);
}
