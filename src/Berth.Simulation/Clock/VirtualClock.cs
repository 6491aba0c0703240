namespace Berth.Simulation.Clock;

/// <summary>
/// A <see cref="TimeProvider"/> that only moves when the event loop moves it: simulated time,
/// at one-second resolution of trace time, starting at <see cref="Epoch"/>.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private DateTimeOffset _now = Epoch;

    /// <summary>Seconds since <see cref="Epoch"/>.</summary>
    public long Seconds => (long)(_now - Epoch).TotalSeconds;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock forward to <paramref name="seconds"/> after the epoch; never backwards.</summary>
    public void AdvanceTo(long seconds)
    {
        var target = Epoch.AddSeconds(seconds);
        if (target < _now)
        {
            throw new InvalidOperationException($"the clock cannot go back from {Seconds}s to {seconds}s");
        }

        _now = target;
    }
}
