namespace Berth.TestKit;

/// <summary>A <see cref="TimeProvider"/> that moves only when a test moves it.</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(double seconds) => _now = _now.AddSeconds(seconds);
}
