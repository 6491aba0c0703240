using Berth.Runtime.Yield;

namespace Berth.Runtime.Tests.Yield;

/// <summary>GPU gauges turned into GPU-seconds: each interval counted once, with the gauges that held over it.</summary>
public class GpuSecondsMeterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, GpuUse> Queue(double allocated, double used, double idle) => new(StringComparer.Ordinal) { ["team-a"] = new GpuUse(allocated, used, idle) };

    [Fact]
    public void FirstCycle_AddsNothing_ThenThePreviousGaugesTimesTheInterval()
    {
        var meter = new GpuSecondsMeter();
        Assert.Equal(0, meter.Advance(T0, Queue(2, 0.5, 1.5)).Values.Sum(u => u.Allocated));
        var hour = meter.Advance(T0.AddHours(1), Queue(4, 4, 0));
        Assert.Equal(new GpuUse(7200, 1800, 5400), hour["team-a"]);
        Assert.Equal(new GpuUse(0, 0, 0), meter.Advance(T0.AddHours(1), Queue(4, 4, 0))["team-a"]);
        Assert.Equal(new GpuUse(40, 40, 0), meter.Advance(T0.AddHours(1).AddSeconds(10), Queue(0, 0, 0))["team-a"]);
    }

    [Fact]
    public void ClockGoingBack_AddsNothing_AndTheNextIntervalStartsFromTheLatestTime()
    {
        var meter = new GpuSecondsMeter();
        meter.Advance(T0, Queue(1, 1, 0));
        meter.Advance(T0.AddSeconds(100), Queue(1, 1, 0));
        Assert.Equal(0, meter.Advance(T0.AddSeconds(50), Queue(1, 1, 0))["team-a"].Allocated);
        Assert.Equal(10, meter.Advance(T0.AddSeconds(110), Queue(1, 1, 0))["team-a"].Allocated);
    }
}
