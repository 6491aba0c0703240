namespace Berth.Server.Clock;

/// <summary>
/// The server's clock: starts at <paramref name="start"/> and runs <paramref name="scale"/> times as fast as
/// <paramref name="inner"/> (1: real time). Starting from the last time the store saw keeps the clock from going
/// back across a restart, whatever the scale. Timers are not scaled (the server only reads the time).
/// </summary>
public sealed class ScaledTimeProvider(TimeProvider inner, double scale, DateTimeOffset start) : TimeProvider
{
    private readonly long _origin = inner.GetTimestamp();

    public double Scale { get; } = scale > 0 && double.IsFinite(scale) ? scale : throw new ArgumentOutOfRangeException(nameof(scale), scale, "time scale must be a positive number, such as 1 or 60");

    public override DateTimeOffset GetUtcNow() => start + inner.GetElapsedTime(_origin) * Scale;
}
