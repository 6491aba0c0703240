using Berth.Model;

namespace Berth.Engine.Framework;

/// <summary>
/// GPUs inside one NVLink island for a multi-GPU pod (NVIDIA's topology-aware GPU allocation prefers the same).
/// Which fully free GPUs a whole-GPU pod takes does not change a node's free vector, so this never changes which
/// node is chosen or any fragmentation figure: only the GPU indices.
/// </summary>
internal static class NvlinkIslands
{
    /// <summary>
    /// <paramref name="mask"/> when it already lies in one island, or when no island has <paramref name="count"/>
    /// fully free GPUs; else the lowest fully free GPUs of the island with the fewest fully free GPUs that still
    /// holds them (lowest island on ties), so that roomier islands stay whole for larger pods.
    /// </summary>
    public static int Choose(ReadOnlySpan<int> free, int count, int islandSize, int mask)
    {
        if (count < 2 || islandSize >= free.Length || InOneIsland(mask, islandSize))
        {
            return mask;
        }

        var best = -1;
        var bestFree = int.MaxValue;
        for (var start = 0; start < free.Length; start += islandSize)
        {
            var whole = 0;
            for (var g = start; g < start + islandSize && g < free.Length; g++)
            {
                whole += free[g] == Limits.GpuMilliPerGpu ? 1 : 0;
            }

            if (whole >= count && whole < bestFree)
            {
                (best, bestFree) = (start, whole);
            }
        }

        if (best < 0)
        {
            return mask;
        }

        var chosen = 0;
        for (var g = best; g < best + islandSize && count > 0; g++)
        {
            if (free[g] == Limits.GpuMilliPerGpu)
            {
                chosen |= 1 << g;
                count--;
            }
        }

        return chosen;
    }

    /// <summary>True when every GPU of <paramref name="mask"/> lies in one island.</summary>
    public static bool InOneIsland(int mask, int islandSize)
    {
        if (mask == 0)
        {
            return true;
        }

        var first = System.Numerics.BitOperations.TrailingZeroCount(mask) / islandSize;
        var last = (31 - System.Numerics.BitOperations.LeadingZeroCount((uint)mask)) / islandSize;
        return first == last;
    }
}
