using Berth.Engine.Admission;
using Berth.Model;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

public class RestoreTests
{
    [Fact]
    public void Restore_RunningGang_ChargesQuotaAndTakesItsGpus()
    {
        var f = new AdmissionFixture(2, 8, [Make.Queue("q").Gpus(8).Build()]);
        var running = Make.Workload("run").In("q").Pods(2, gpus: 2).Build();
        f.Scheduler.Restore(running, "default", [new RestoredPod(0, "n0", 0b11), new RestoredPod(0, "n1", 0b1100)], TimeSpan.Zero, out var misfits);
        Assert.Empty(misfits);
        Assert.Equal(4000, f.Scheduler.Cluster.AllocatedGpuMilli);
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("run"));

        // 4 of 8 nominal GPUs are used: a 6-GPU workload waits on quota although the nodes have room.
        f.Submit(Make.Workload("next").In("q").Pods(1, gpus: 6));
        f.Scheduler.Schedule();
        Assert.Equal(PendingReasonCode.QuotaExceeded, f.Reason("next"));
    }

    [Fact]
    public void Restore_PodWhereItCannotFit_IsReportedNotAllocated()
    {
        var f = new AdmissionFixture(1, 4, [Make.Queue("q").Gpus(8).Build()]);
        f.Scheduler.Restore(Make.Workload("a").In("q").Pods(1, gpus: 2).Build(), "default", [new RestoredPod(0, "n0", 0b11)], TimeSpan.Zero, out _);
        f.Scheduler.Restore(Make.Workload("b").In("q").Pods(2, gpus: 2).Build(), "default", [new RestoredPod(0, "n0", 0b11), new RestoredPod(0, "gone", 0b1)], TimeSpan.Zero, out var misfits);
        Assert.Equal(2, misfits.Count);
        Assert.Equal(2000, f.Scheduler.Cluster.AllocatedGpuMilli);
    }

    [Fact]
    public void PlaceRemaining_MissingPodsFit_PlacesAllOfThem()
    {
        var f = new AdmissionFixture(2, 4, [Make.Queue("q").Gpus(8).Build()]);
        f.Scheduler.Restore(Make.Workload("g").In("q").Pods(4, gpus: 2).Build(), "default", [new RestoredPod(0, "n0", 0b11)], TimeSpan.Zero, out _);
        var added = f.Scheduler.PlaceRemaining("g");
        Assert.NotNull(added);
        Assert.Equal(3, added.Count);
        Assert.Equal(4, f.Scheduler.Find("g")!.Pods.Count);
        Assert.Equal(8000, f.Scheduler.Cluster.AllocatedGpuMilli);
        Assert.Empty(f.Scheduler.PlaceRemaining("g")!);
    }

    [Fact]
    public void PlaceRemaining_NotAllFit_PlacesNone()
    {
        var f = new AdmissionFixture(1, 4, [Make.Queue("q").Gpus(8).Build()]);
        Assert.True(f.Scheduler.Withhold("n0", new Pod { Name = "other", GpuCount = 1, GpuMilli = 1000 }));
        f.Scheduler.Restore(Make.Workload("g").In("q").Pods(2, gpus: 2).Build(), "default", [new RestoredPod(0, "n0", 0b1100)], TimeSpan.Zero, out _);
        Assert.Null(f.Scheduler.PlaceRemaining("g"));
        Assert.Equal(3000, f.Scheduler.Cluster.AllocatedGpuMilli);
    }

    [Fact]
    public void Withhold_UnhealthyGpus_LeaveTheCapacity()
    {
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Build()]);
        Assert.True(f.Scheduler.Withhold("n0", new Pod { Name = "unhealthy", GpuCount = 2, GpuMilli = 1000 }, 0b101));
        Assert.False(f.Scheduler.Withhold("n0", new Pod { Name = "again", GpuCount = 1, GpuMilli = 1000 }, 0b1));
        f.Submit(Make.Workload("w").In("q").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Pending, f.Phase("w"));
        Assert.Equal(0, f.Scheduler.Cluster.GpuFreeOf(0)[0]);
        Assert.Equal(0, f.Scheduler.Cluster.GpuFreeOf(0)[2]);
    }
}

public class RestoreReclaimTests
{
    [Fact]
    public void Restore_BorrowersOfALendersQuota_AreReclaimedWhenTheLenderSubmits()
    {
        const string profile = "fair-share+backfill+preemption";
        var reclaim = new Berth.Model.Queueing.QueuePreemption { Reclaim = Berth.Model.Queueing.ReclaimPolicy.Any };
        var options = AdmissionProfiles.Apply(profile, new AdmissionOptions { Seed = 42 });
        var f = new AdmissionFixture(2, 8, [Make.Queue("a").InCohort("org").Gpus(8).Preempt(reclaim).Build(), Make.Queue("b").InCohort("org").Gpus(8).Build()], options, [AdmissionFixture.Cohort("org")]);
        f.Scheduler.Restore(Make.Workload("b1").In("b").Pods(1, gpus: 8).Build(), "default", [new RestoredPod(0, "n0", 0xff)], TimeSpan.Zero, out _);
        f.Scheduler.Restore(Make.Workload("b2").In("b").Pods(1, gpus: 8).Build(), "default", [new RestoredPod(0, "n1", 0xff)], TimeSpan.Zero, out _);
        f.Submit(Make.Workload("a1").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("a1"));
        Assert.Single(f.Scheduler.DrainEvents(), e => e.Kind == AdmissionEventKind.Evicted && e.Reason == "Reclaimed");
    }

    [Fact]
    public void Restore_PodWithoutGpuIndices_TakesTheLowestFreeGpus()
    {
        var f = new AdmissionFixture(1, 8, [Make.Queue("q").Gpus(8).Build()]);
        Assert.True(f.Scheduler.Withhold("n0", new Pod { Name = "other", GpuCount = 1, GpuMilli = 1000 }, 0b1));
        f.Scheduler.Restore(Make.Workload("job").In("q").Pods(2, gpus: 2).Build(), "default", [new RestoredPod(0, "n0", 0), new RestoredPod(0, "n0", 0)], TimeSpan.Zero, out var misfits);
        Assert.Empty(misfits);
        Assert.Equal([0b110, 0b11000], f.Scheduler.Find("job")!.Pods.Select(p => p.GpuMask));
    }
}
