namespace Berth.Engine.Admission.Victims;

/// <summary>
/// The preemptible admitted workloads of one queue and flavor that hold the same GPU and have no checkpoints, kept
/// sorted as they start and end. For them the victim order (<see cref="VictimOrder"/>: least work lost, then lowest
/// priority, most recently started, id) does not move with time: the work lost is (now - start) x the same GPU, so
/// the most recent start loses least at every instant, and equal starts fall to the same tie-breaks. Stored in the
/// reverse of that order (oldest start first), so that a workload that starts now is appended at the end; read
/// from the end. Whether floating point keeps two entries apart is checked where the lane is read
/// (<see cref="VictimMerge"/>), never assumed.
/// </summary>
internal sealed class VictimLane
{
    private readonly List<WorkloadState> _items = [];

    public int Count => _items.Count;

    /// <summary>The <paramref name="rank"/>-th in victim order (0: the first victim).</summary>
    public WorkloadState InVictimOrder(int rank) => _items[_items.Count - 1 - rank];

    public void Add(WorkloadState w)
    {
        var at = _items.Count;
        if (at > 0 && Reverse(_items[at - 1], w) > 0)
        {
            at = _items.BinarySearch(w, ReverseOrder.Instance);
            at = at < 0 ? ~at : at;
        }

        _items.Insert(at, w);
    }

    public void Remove(WorkloadState w)
    {
        var at = _items.BinarySearch(w, ReverseOrder.Instance);
        if (at < 0 || !ReferenceEquals(_items[at], w))
        {
            throw new InvalidOperationException($"workload {w.Id} is not in its victim lane (its start time changed while it was in the lane)");
        }

        _items.RemoveAt(at);
    }

    /// <summary>Oldest start first, then highest priority, then the larger id: the victim order read backwards.</summary>
    private static int Reverse(WorkloadState a, WorkloadState b)
    {
        var c = a.AdmittedAt.CompareTo(b.AdmittedAt);
        if (c != 0)
        {
            return c;
        }

        c = b.Workload.Priority.CompareTo(a.Workload.Priority);
        return c != 0 ? c : string.CompareOrdinal(b.Id, a.Id);
    }

    private sealed class ReverseOrder : IComparer<WorkloadState>
    {
        public static readonly ReverseOrder Instance = new();

        public int Compare(WorkloadState? a, WorkloadState? b) => Reverse(a!, b!);
    }
}
