namespace Berth.TestKit;

/// <summary>A <see cref="TimeProvider"/> that moves only when a test moves it. Thread-safe (a controller reads it from its own tasks).</summary>
public sealed class ManualTime : TimeProvider
{
    private long _ticks = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(double seconds) => Interlocked.Add(ref _ticks, TimeSpan.FromSeconds(seconds).Ticks);
}
