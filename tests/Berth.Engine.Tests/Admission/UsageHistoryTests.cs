using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.TestKit;

namespace Berth.Engine.Tests.Admission;

/// <summary>
/// Usage-history fair sharing (<see cref="QueueConfiguration.UsageHalfLife"/>). The cluster is one node of 8 GPUs;
/// queues a and b have 4 GPUs each in cohort org, so a queue running 8 GPUs borrows 4 of the tree's 8: share 0.5.
/// </summary>
public class UsageHistoryTests
{
    private static readonly TimeSpan HalfLife = TimeSpan.FromSeconds(1000);

    /// <summary>Queue a borrows for <c>busy</c> seconds, then nothing runs for <c>idle</c> seconds; a1 and b1 then ask for the whole node together.</summary>
    public sealed record Case(string Name, TimeSpan? HalfLife, double Busy, double Idle, string First)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("Without a half-life the tie-break admits a1 first, whatever a used before", null, 1000, 0, "a1"),
        new("Without a half-life the tie-break holds right after a long heavy run", null, 100_000, 1, "a1"),
        new("With a half-life, a queue that borrowed recently yields to one that did not", HalfLife, 1000, 0, "b1"),
        new("With a half-life, a short borrowing recently still counts", HalfLife, 10, 0, "b1"),
        new("With a half-life, a few half-lives later the history still counts", HalfLife, 1000, 5000, "b1"),
        new("With a half-life, many half-lives later the history has faded and the tie-break decides", HalfLife, 1000, 30_000, "a1"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Schedule_EqualSharesAfterAdmission_OrderFollowsUsageHistory(Case c)
    {
        var f = Fixture(c.HalfLife);
        f.Submit(Make.Workload("a0").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        f.Time.Advance(c.Busy);
        f.Scheduler.Finish("a0");
        f.Time.Advance(c.Idle);
        var at = c.Busy + c.Idle;
        f.Submit(Make.Workload("a1").In("a").Pods(1, gpus: 8).At(at), Make.Workload("b1").In("b").Pods(1, gpus: 8).At(at));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase(c.First));
        Assert.Equal(WorkloadPhase.Pending, f.Phase(c.First == "a1" ? "b1" : "a1"));
    }

    [Fact]
    public void UsageHistory_OneHalfLife_HalvesTheHistory()
    {
        var f = Fixture(HalfLife);
        f.Submit(Make.Workload("a0").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        Assert.Equal(0, f.Scheduler.UsageHistory(0));

        // Share 0.5 held for one half-life: the history has gone half the way from 0 to 0.5.
        f.Time.Advance(1000);
        Assert.Equal(0.25, f.Scheduler.UsageHistory(0));
        f.Scheduler.Finish("a0");
        Assert.Equal(0.25, f.Scheduler.UsageHistory(0));

        // Share 0 from now on: the history halves with each half-life.
        f.Time.Advance(1000);
        Assert.Equal(0.125, f.Scheduler.UsageHistory(0));
        f.Scheduler.Schedule();
        f.Time.Advance(1000);
        Assert.Equal(0.0625, f.Scheduler.UsageHistory(0));
        f.Time.Advance(500);
        Assert.Equal(0.0625 / Math.Sqrt(2), f.Scheduler.UsageHistory(0), 15);
        Assert.Equal(0, f.Scheduler.UsageHistory(1)); // b never borrowed
    }

    [Fact]
    public void UsageHistory_LongSteadyBorrowing_ApproachesTheShare()
    {
        var f = Fixture(HalfLife);
        f.Submit(Make.Workload("a0").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        f.Time.Advance(60_000); // 60 half-lives
        Assert.Equal(0.5, f.Scheduler.UsageHistory(0), 12);
        Assert.True(f.Scheduler.UsageHistory(0) <= 0.5);
    }

    [Fact]
    public void UsageHistory_HowOftenScheduleRuns_DoesNotChangeIt()
    {
        // Only usage changes enter the history, so calling Schedule every second or never gives the same value, bit for bit.
        var often = Fixture(HalfLife);
        var rarely = Fixture(HalfLife);
        foreach (var f in new[] { often, rarely })
        {
            f.Submit(Make.Workload("a0").In("a").Pods(1, gpus: 8));
            f.Scheduler.Schedule();
        }

        for (var t = 1; t <= 777; t++)
        {
            often.Time.Advance(1);
            often.Scheduler.Schedule();
        }

        rarely.Time.Advance(777);
        Assert.Equal(BitConverter.DoubleToInt64Bits(rarely.Scheduler.UsageHistory(0)), BitConverter.DoubleToInt64Bits(often.Scheduler.UsageHistory(0)));
        often.Scheduler.Finish("a0");
        rarely.Scheduler.Finish("a0");
        often.Time.Advance(1234);
        rarely.Time.Advance(1234);
        Assert.Equal(BitConverter.DoubleToInt64Bits(rarely.Scheduler.UsageHistory(0)), BitConverter.DoubleToInt64Bits(often.Scheduler.UsageHistory(0)));
    }

    [Fact]
    public void UsageHistory_SettingOff_IsAlwaysZero()
    {
        var f = Fixture(null);
        f.Submit(Make.Workload("a0").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        f.Time.Advance(1000);
        Assert.Equal(0, f.Scheduler.UsageHistory(0));
    }

    [Fact]
    public void Schedule_FairSharePreemption_ComparesCurrentSharesOnly()
    {
        // a (2 GPUs nominal) borrowed the whole node for one half-life: history 0.75 x 0.5 = 0.375. Then b runs
        // 8 GPUs on its 2 nominal (share 0.75). a1 (3 GPUs) would leave a at share 0.125 and b, after losing one
        // 4-GPU workload, at 0.25: fair-share preemption is allowed. Were a's history added, 0.5 > 0.25 would forbid it.
        var fairShare = new QueuePreemption { FairShare = true };
        var f = new AdmissionFixture(
            1,
            8,
            [Make.Queue("a").InCohort("org").Gpus(2).Preempt(fairShare).Build(), Make.Queue("b").InCohort("org").Gpus(2).Build(), Make.Queue("c").InCohort("org").Gpus(4).Build()],
            new AdmissionOptions { PlacementPolicy = "bestfit", Preemption = true },
            [AdmissionFixture.Cohort("org")],
            HalfLife);
        f.Submit(Make.Workload("a0").In("a").Pods(1, gpus: 8));
        f.Scheduler.Schedule();
        f.Time.Advance(1000);
        f.Scheduler.Finish("a0");
        f.Submit(Make.Workload("b1").In("b").Pods(1, gpus: 4).At(1000), Make.Workload("b2").In("b").Pods(1, gpus: 4).At(1000));
        f.Scheduler.Schedule();
        Assert.Equal(0.375, f.Scheduler.UsageHistory(0));
        f.Submit(Make.Workload("a1").In("a").Pods(1, gpus: 3).At(1000));
        f.Scheduler.Schedule();
        Assert.Equal(WorkloadPhase.Admitted, f.Phase("a1"));
        var evicted = f.Scheduler.DrainEvents().Where(e => e.Kind == AdmissionEventKind.Evicted).ToArray();
        Assert.Single(evicted);
        Assert.Equal("FairSharePreempted", evicted[0].Reason);
    }

    [Fact]
    public void Validate_HalfLifeNotPositive_NamesTheField()
    {
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Queues = [Make.Queue("a").Gpus(8).Build()], UsageHalfLife = TimeSpan.Zero };
        var e = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal("usageHalfLife", e.ParamName);
        Assert.Contains("more than 0", e.Message, StringComparison.Ordinal);
    }

    private static AdmissionFixture Fixture(TimeSpan? halfLife) => new(
        1,
        8,
        [Make.Queue("a").InCohort("org").Gpus(4).Build(), Make.Queue("b").InCohort("org").Gpus(4).Build()],
        cohorts: [AdmissionFixture.Cohort("org")],
        usageHalfLife: halfLife);
}
