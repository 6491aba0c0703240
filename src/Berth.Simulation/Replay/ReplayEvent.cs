namespace Berth.Simulation.Replay;

/// <summary>
/// One event of the replay loop. Ordered by time, then departures before arrivals (capacity freed at an
/// instant is usable by pods arriving at that instant), then sequence number: a total order.
/// </summary>
internal readonly record struct ReplayEvent(long Time, ReplayEventKind Kind, int Pod, long Sequence) : IComparable<ReplayEvent>
{
    public int CompareTo(ReplayEvent other)
    {
        var c = Time.CompareTo(other.Time);
        if (c != 0)
        {
            return c;
        }

        c = ((int)Kind).CompareTo((int)other.Kind);
        return c != 0 ? c : Sequence.CompareTo(other.Sequence);
    }
}
