namespace Berth.Runtime.Yield;

/// <summary>
/// Turns each cycle's GPU gauges into GPU-seconds for counters: the gauges a cycle saw hold until the next cycle, so
/// each cycle adds the previous cycle's gauges times the time between the two on the injected clock. Every interval
/// is counted once; the first cycle (after a start) adds nothing, and a clock that goes back adds nothing.
/// </summary>
public sealed class GpuSecondsMeter
{
    private DateTimeOffset? _last;
    private IReadOnlyDictionary<string, GpuUse> _held = new Dictionary<string, GpuUse>(StringComparer.Ordinal);

    /// <summary>The GPU-seconds per key since the last call, from the gauges of the last call; <paramref name="current"/> holds from <paramref name="now"/> on.</summary>
    public IReadOnlyDictionary<string, GpuUse> Advance(DateTimeOffset now, IReadOnlyDictionary<string, GpuUse> current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var seconds = _last is { } last && now > last ? (now - last).TotalSeconds : 0;
        var added = _held.ToDictionary(h => h.Key, h => h.Value * seconds, StringComparer.Ordinal);
        if (_last is null || now > _last)
        {
            _last = now;
        }

        _held = new Dictionary<string, GpuUse>(current, StringComparer.Ordinal);
        return added;
    }
}
