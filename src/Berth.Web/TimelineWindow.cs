namespace Berth.Web;

/// <summary>
/// The cluster's GPUs over time, as the server's decision loop and the operator both keep it: one point per decision
/// that changed the totals (or after <see cref="Every"/>), the last <see cref="Capacity"/> kept in memory. Derived
/// from decisions, so a restarted server or a restarted or newly leading replica starts a new window. Thread-safe.
/// </summary>
public sealed class TimelineWindow
{
    public const int Capacity = 4096;

    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Queue<TimelinePoint> _points = new();
    private TimelinePoint? _last;

    /// <summary>Keeps <paramref name="point"/> unless it repeats the last one within <see cref="Every"/>.</summary>
    public void Add(TimelinePoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        lock (_gate)
        {
            if (_last is { } last && last with { At = point.At } == point && point.At - last.At < Every)
            {
                return;
            }

            _points.Enqueue(point);
            _last = point;
            while (_points.Count > Capacity)
            {
                _points.Dequeue();
            }
        }
    }

    public IReadOnlyList<TimelinePoint> Since(DateTimeOffset? since)
    {
        lock (_gate)
        {
            return since is { } from ? _points.Where(p => p.At >= from).ToArray() : _points.ToArray();
        }
    }
}
