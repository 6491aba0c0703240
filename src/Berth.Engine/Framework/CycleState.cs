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
    private readonly int _seed;
    private long _decision;
    private Random? _random;

    internal CycleState(ClusterState cluster, int seed, int slotCount)
    {
        Cluster = cluster;
        _seed = seed;
        _slots = new object?[slotCount];
    }

    public ClusterState Cluster { get; }

    /// <summary>
    /// This decision's random stream, derived from the placer's seed and the number of decisions committed
    /// before it: a what-if evaluation draws from it without shifting the draws of later decisions.
    /// </summary>
    public Random Random => _random ??= new Random(DeriveSeed(_seed, _decision));

    public Pod Pod { get; private set; } = null!;

    public PodRequest Request { get; private set; }

    /// <summary>A per-plugin integer the plugin may set in its pre-filter (for example an interned pod type).</summary>
    public int[] Scratch { get; } = new int[8];

    internal void Reset(Pod pod, in PodRequest request, long decision)
    {
        Pod = pod;
        Request = request;
        _decision = decision;
        _random = null;
        Array.Clear(_slots);
    }

    /// <summary>SplitMix64 of (seed, decision): a fixed, platform-independent mixing.</summary>
    private static int DeriveSeed(int seed, long decision)
    {
        var z = unchecked(((ulong)(uint)seed << 32) ^ (ulong)decision) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    public void Write(int slot, object value) => _slots[slot] = value;

    public T Read<T>(int slot) where T : class => (T)_slots[slot]!;
}
