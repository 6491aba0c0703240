namespace Berth.Engine.Fragmentation;

/// <summary>
/// What a node's fragment depends on: GPU model, the multiset of per-GPU free amounts (sorted, 10 bits
/// each, up to 18 GPUs) and which CPU threshold of the target workload its free CPU reaches.
/// </summary>
internal readonly record struct FragmentKey(ulong A, ulong B, ulong C, int Meta)
{
    public static FragmentKey Create(int modelId, Span<int> sortedFree, int cpuBucket)
    {
        ulong a = 0, b = 0, c = 0;
        for (var i = 0; i < sortedFree.Length; i++)
        {
            var v = (ulong)sortedFree[i];
            switch (i / 6)
            {
                case 0: a |= v << (10 * (i % 6)); break;
                case 1: b |= v << (10 * (i % 6)); break;
                default: c |= v << (10 * (i % 6)); break;
            }
        }

        var meta = ((modelId + 1) << 20) | (sortedFree.Length << 14) | cpuBucket;
        return new FragmentKey(a, b, c, meta);
    }
}
