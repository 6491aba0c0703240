using Berth.Model;

namespace Berth.Engine.Framework;

/// <summary>
/// What one decision knows: the pod, its compiled request, the cluster state and the decision's random
/// stream, plus slots that pre-filters write once and filters and scores read many times.
/// Reused across decisions by one <see cref="Placer"/>; not thread-safe.
/// </summary>
public sealed class CycleState
{
    private readonly object?[] _slots;

    internal CycleState(ClusterState cluster, Random random, int slotCount)
    {
        Cluster = cluster;
        Random = random;
        _slots = new object?[slotCount];
    }

    public ClusterState Cluster { get; }

    /// <summary>The placer's seeded random stream (random policies and random tie-breaks draw from it).</summary>
    public Random Random { get; }

    public Pod Pod { get; private set; } = null!;

    public PodRequest Request { get; private set; }

    /// <summary>A per-plugin integer the plugin may set in its pre-filter (for example an interned pod type).</summary>
    public int[] Scratch { get; } = new int[8];

    internal void Reset(Pod pod, in PodRequest request)
    {
        Pod = pod;
        Request = request;
        Array.Clear(_slots);
    }

    public void Write(int slot, object value) => _slots[slot] = value;

    public T Read<T>(int slot) where T : class => (T)_slots[slot]!;
}
