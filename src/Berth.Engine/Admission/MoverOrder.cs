namespace Berth.Engine.Admission;

/// <summary>Movers: least work lost, then smallest, then submission order.</summary>
internal sealed class MoverOrder : IComparer<EvictionCandidate>
{
    public static readonly MoverOrder Instance = new();

    public int Compare(EvictionCandidate a, EvictionCandidate b)
    {
        var c = a.Lost.CompareTo(b.Lost);
        if (c != 0)
        {
            return c;
        }

        c = a.W.Usage.GpuMilli.CompareTo(b.W.Usage.GpuMilli);
        return c != 0 ? c : a.W.Sequence.CompareTo(b.W.Sequence);
    }
}
