namespace Berth.Engine.Admission;

/// <summary>Where the pods of one serving group are: per zone, per rack, per node.</summary>
internal sealed class ServingGroupCounts(int zones, int racks)
{
    private readonly int[] _zones = new int[zones];
    private readonly int[] _racks = new int[racks];

    public Dictionary<int, int> Nodes { get; } = [];

    /// <summary>Pods of the group placed now.</summary>
    public int Total { get; private set; }

    public void Add(int node, int zone, int rack, int delta)
    {
        Total += delta;
        if (zone >= 0)
        {
            _zones[zone] += delta;
        }

        if (rack >= 0)
        {
            _racks[rack] += delta;
        }

        var onNode = Nodes.GetValueOrDefault(node) + delta;
        if (onNode == 0)
        {
            Nodes.Remove(node);
        }
        else
        {
            Nodes[node] = onNode;
        }
    }

    /// <summary>Zone count, then rack count, then node count, in one number that orders as that tuple does.</summary>
    public long Key(int node, int zone, int rack)
    {
        long z = zone >= 0 ? Math.Min(_zones[zone], ServingSpread.MaxCount) : 0;
        long r = rack >= 0 ? Math.Min(_racks[rack], ServingSpread.MaxCount) : 0;
        long n = Math.Min(Nodes.GetValueOrDefault(node), ServingSpread.MaxCount);
        return (z << 40) | (r << 20) | n;
    }
}
