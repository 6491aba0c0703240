namespace Berth.Engine.Framework;

/// <summary>
/// For one pod class (<see cref="PodClassKey"/>), the feasible nodes grouped by a key (the score keys for whole-GPU
/// pods, the best place on the node for shared-GPU pods), each group knowing
/// its members' lowest rank (the profile's tie-break order): a decision scores each group once and takes the
/// lowest-ranked node of the best one, which is the node the full scan would take. Kept up to date from the
/// cluster's change log: only nodes whose version moved since the last use are looked at again.
/// <para>
/// Each group keeps its members' ranks in a min-heap with lazy deletion: a node that leaves a group stays in its heap
/// until it reaches the top (or the heap is compacted), and is recognised there as stale because the node's current
/// group differs. Not thread-safe; owned by one <see cref="Placer"/>.
/// </para>
/// </summary>
internal sealed class NodeGroupIndex<TKey>
    where TKey : struct, IEquatable<TKey>
{
    private readonly ClusterState _cluster;
    private readonly int[] _groupOf;
    private readonly int[] _rankOf;
    private readonly int[] _nodeOfRank;
    private readonly Dictionary<TKey, int> _groupIds = new();
    private readonly List<TKey> _keys = [];
    private readonly List<int> _counts = [];
    private readonly List<int[]> _heaps = [];
    private readonly List<int> _heapSizes = [];
    private long _position = -1; // before any change: the first use looks at every node

    public NodeGroupIndex(ClusterState cluster, int[] rankOf, int[] nodeOfRank)
    {
        _cluster = cluster;
        _rankOf = rankOf;
        _nodeOfRank = nodeOfRank;
        _groupOf = new int[cluster.NodeCount];
        Array.Fill(_groupOf, -1);
    }

    /// <summary>The decision that used this index last (for evicting the least recently used).</summary>
    public long LastUsed { get; set; }

    /// <summary>Feasible nodes, all groups together.</summary>
    public int Feasible { get; private set; }

    public int GroupCount => _keys.Count;

    public TKey KeyOf(int group) => _keys[group];

    public int CountOf(int group) => _counts[group];

    /// <summary>
    /// Looks again at every node changed since the last call (every node on the first call, or when the change log no
    /// longer reaches back): <paramref name="grouper"/> says whether the node is feasible and, if so, its group key.
    /// The placer must have run the current pod's pre-filters.
    /// </summary>
    public void CatchUp(INodeGrouper<TKey> grouper)
    {
        if (_cluster.TryReadChanges(ref _position, out var changed))
        {
            foreach (var node in changed)
            {
                Update(grouper, node);
            }

            return;
        }

        for (var node = 0; node < _groupOf.Length; node++)
        {
            Update(grouper, node);
        }
    }

    /// <summary>The lowest rank among the members of <paramref name="group"/> (which must have members).</summary>
    public int LowestRank(int group)
    {
        var heap = _heaps[group];
        var size = _heapSizes[group];
        while (_groupOf[_nodeOfRank[heap[0]]] != group)
        {
            // Stale: that node left the group. Pop it.
            heap[0] = heap[--size];
            SiftDown(heap, size, 0);
        }

        _heapSizes[group] = size;
        return heap[0];
    }

    private void Update(INodeGrouper<TKey> grouper, int node)
    {
        // A node changed twice since the last use is looked at twice: cheaper than remembering versions (4 bytes a node).
        var old = _groupOf[node];
        var now = grouper.TryGroupKey(node, out var key) ? GroupOf(key) : -1;
        if (old == now)
        {
            return;
        }

        if (old >= 0)
        {
            _counts[old]--;
            Feasible--;
        }

        _groupOf[node] = now;
        if (now >= 0)
        {
            _counts[now]++;
            Feasible++;
            Push(now, _rankOf[node]);
        }
    }

    private int GroupOf(in TKey key)
    {
        if (_groupIds.TryGetValue(key, out var id))
        {
            return id;
        }

        id = _keys.Count;
        _groupIds[key] = id;
        _keys.Add(key);
        _counts.Add(0);
        _heaps.Add(new int[4]);
        _heapSizes.Add(0);
        return id;
    }

    private void Push(int group, int rank)
    {
        var heap = _heaps[group];
        var size = _heapSizes[group];
        if (size > 2 * _counts[group] + 32)
        {
            size = Compact(group, heap, size);
        }

        if (size == heap.Length)
        {
            Array.Resize(ref heap, heap.Length * 2);
            _heaps[group] = heap;
        }

        var i = size++;
        heap[i] = rank;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (heap[parent] <= rank)
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = rank;
        _heapSizes[group] = size;
    }

    /// <summary>
    /// Drops stale and repeated entries; a sorted array is a valid min-heap. The entry of a node that left and came
    /// back may appear twice: both are its rank, so one is kept.
    /// </summary>
    private int Compact(int group, int[] heap, int size)
    {
        var groupOf = _groupOf;
        var order = _nodeOfRank;
        var kept = 0;
        for (var i = 0; i < size; i++)
        {
            if (groupOf[order[heap[i]]] == group)
            {
                heap[kept++] = heap[i];
            }
        }

        Array.Sort(heap, 0, kept);
        var unique = 0;
        for (var i = 0; i < kept; i++)
        {
            if (unique == 0 || heap[unique - 1] != heap[i])
            {
                heap[unique++] = heap[i];
            }
        }

        return unique;
    }

    private static void SiftDown(int[] heap, int size, int i)
    {
        var value = heap[i];
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= size)
            {
                break;
            }

            if (child + 1 < size && heap[child + 1] < heap[child])
            {
                child++;
            }

            if (heap[child] >= value)
            {
                break;
            }

            heap[i] = heap[child];
            i = child;
        }

        heap[i] = value;
    }
}
