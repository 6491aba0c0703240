namespace Berth.Engine.Admission;

/// <summary>Victims: least work lost, then lowest priority, then most recently started, then id.</summary>
internal sealed class VictimOrder : IComparer<EvictionCandidate>
{
    public static readonly VictimOrder Instance = new();

    public int Compare(EvictionCandidate a, EvictionCandidate b)
    {
        var c = a.Lost.CompareTo(b.Lost);
        if (c != 0)
        {
            return c;
        }

        c = a.W.Workload.Priority.CompareTo(b.W.Workload.Priority);
        if (c != 0)
        {
            return c;
        }

        c = b.W.AdmittedAt.CompareTo(a.W.AdmittedAt);
        return c != 0 ? c : string.CompareOrdinal(a.W.Id, b.W.Id);
    }
}
