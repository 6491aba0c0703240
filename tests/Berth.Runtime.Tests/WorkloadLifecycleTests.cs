using Berth.Engine.Admission;
using Berth.Runtime.Lifecycle;

namespace Berth.Runtime.Tests;

public class WorkloadLifecycleTests
{
    public sealed record RequeueCase(string Name, int Previous, int Limit, bool Fails, int BackoffMinutes)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<RequeueCase> RequeueCases() => new()
    {
        new RequeueCase("the first requeue waits the base backoff", 0, 3, false, 1),
        new RequeueCase("the second requeue waits twice as long", 1, 3, false, 2),
        new RequeueCase("the last allowed requeue waits four times as long", 2, 3, false, 4),
        new RequeueCase("a requeue past the limit fails", 3, 3, true, 8),
        new RequeueCase("a limit of zero fails at once", 0, 0, true, 1),
    };

    [Theory]
    [MemberData(nameof(RequeueCases))]
    public void NextRequeue_DoublesBackoffAndFailsPastTheLimit(RequeueCase c)
    {
        var options = new AdmissionOptions { BackoffBase = TimeSpan.FromMinutes(1), BackoffLimit = c.Limit };
        var next = WorkloadLifecycle.NextRequeue(c.Previous, options);
        Assert.Equal(c.Previous + 1, next.Attempt);
        Assert.Equal(c.Fails, next.Fails);
        Assert.Equal(TimeSpan.FromMinutes(c.BackoffMinutes), next.Backoff);
    }

    [Fact]
    public void HeldBack_InBackoff_SaysBackoffAndAfterItNothing()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var options = new AdmissionOptions { BackoffLimit = 3 };
        Assert.Equal("Backoff", WorkloadLifecycle.HeldBack(1, now.AddMinutes(1), now, options, "x")?.Code);
        Assert.Null(WorkloadLifecycle.HeldBack(1, now.AddMinutes(-1), now, options, "x"));
        Assert.Equal("GangNotReady", WorkloadLifecycle.HeldBack(4, null, now, options, "x")?.Code);
    }

    [Theory]
    [InlineData("Preempted", EvictionReason.Preempted, true)]
    [InlineData("Reclaimed", EvictionReason.Reclaimed, true)]
    [InlineData("FairSharePreempted", EvictionReason.FairSharePreempted, true)]
    [InlineData("Consolidated", EvictionReason.Consolidated, false)]
    [InlineData("QueueDrained", EvictionReason.QueueDrained, false)]
    [InlineData("GangNotReady", EvictionReason.GangNotReady, false)]
    [InlineData("AdmissionCheckRetry", EvictionReason.AdmissionCheckRetry, false)]
    public void EvictionReasons_EngineCodeRoundTrips(string code, EvictionReason reason, bool preemption)
    {
        var evicted = new AdmissionEvent(TimeSpan.Zero, AdmissionEventKind.Evicted, "w", "q") { Reason = code };
        Assert.Equal(reason, EvictionReasons.Of(evicted));
        Assert.Equal(code, reason.Code());
        Assert.Equal(preemption, reason.IsPreemption());
    }

    [Fact]
    public void EvictionReasons_UnknownCode_ThrowsNamingIt()
    {
        var evicted = new AdmissionEvent(TimeSpan.Zero, AdmissionEventKind.Evicted, "w", "q") { Reason = "Vanished" };
        var e = Assert.Throws<ArgumentException>(() => EvictionReasons.Of(evicted));
        Assert.Contains("Vanished", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEvictionReason_HasACode()
    {
        foreach (var reason in Enum.GetValues<EvictionReason>())
        {
            Assert.Equal(reason.ToString(), reason.Code());
        }
    }

    public sealed record RunCapCase(string Name, int RunSeconds, int RanBeforeSeconds, int? MaxSeconds, int ExpectedRunSeconds, bool Stops)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<RunCapCase> RunCapCases() => new()
    {
        new RunCapCase("with no max run time all the work runs", 500, 100, null, 500, false),
        new RunCapCase("work that ends exactly at the max runs all of it", 400, 100, 500, 400, false),
        new RunCapCase("work past the max stops at it", 450, 100, 500, 400, true),
        new RunCapCase("time kept by checkpoints beyond the max stops at once", 50, 600, 500, 0, true),
    };

    [Theory]
    [MemberData(nameof(RunCapCases))]
    public void CapAtMaxRunTime_CountsCheckpointedTimeAgainstTheMax(RunCapCase c)
    {
        var (run, stops) = WorkloadLifecycle.CapAtMaxRunTime(TimeSpan.FromSeconds(c.RunSeconds), TimeSpan.FromSeconds(c.RanBeforeSeconds), c.MaxSeconds is { } max ? TimeSpan.FromSeconds(max) : null);
        Assert.Equal((TimeSpan.FromSeconds(c.ExpectedRunSeconds), c.Stops), (run, stops));
    }
}
