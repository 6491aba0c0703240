namespace Berth.Runtime.Cycle;

/// <summary>The instant a view was taken, as the engine's clock for one cycle.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
