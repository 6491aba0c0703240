using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Fragmentation;

/// <summary>
/// Computes the expected GPU fragment of a node for a <see cref="TargetWorkload"/>:
/// <c>F(node) = sum_t p_t * fragment(node, t)</c>, where fragment is the free GPU capacity type t could
/// not use on that node (all of it when t is CPU-only, may not use the model, or cannot be hosted;
/// otherwise the GPUs whose free amount is below t's share). Results are memoised by
/// (model, sorted free vector, CPU threshold reached), which is all F depends on.
/// Not thread-safe.
/// </summary>
public sealed class FragmentCalculator
{
    private const int MemoLimit = 1 << 21;

    private readonly long[] _cpu;
    private readonly int[] _milli;
    private readonly int[] _count;
    private readonly ulong[] _mask;
    private readonly double[] _p;
    private readonly long[] _cpuThresholds;
    private readonly Dictionary<FragmentKey, double> _memo = new(1 << 12);

    public FragmentCalculator(ClusterState cluster, TargetWorkload workload)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(workload);
        Workload = workload;
        var n = workload.Types.Count;
        _cpu = new long[n];
        _milli = new int[n];
        _count = new int[n];
        _mask = new ulong[n];
        _p = new double[n];
        for (var t = 0; t < n; t++)
        {
            var type = workload.Types[t];
            _cpu[t] = type.CpuMilli;
            _milli[t] = type.GpuMilli;
            _count[t] = type.GpuCount;
            _p[t] = type.Probability;
            _mask[t] = cluster.ModelMask(type.Models);
        }

        _cpuThresholds = _cpu.Distinct().Order().ToArray();
    }

    public TargetWorkload Workload { get; }

    /// <summary>Number of memoised node states (for diagnostics and benchmarks).</summary>
    public int MemoSize => _memo.Count;

    /// <summary>F of a node in this state, memoised. <paramref name="free"/> is not modified.</summary>
    public double NodeFragment(int modelId, ReadOnlySpan<int> free, long freeCpu)
    {
        if (free.Length == 0)
        {
            return 0;
        }

        Span<int> sorted = stackalloc int[free.Length];
        free.CopyTo(sorted);
        return NodeFragmentSorting(modelId, sorted, freeCpu);
    }

    /// <summary>Like <see cref="NodeFragment"/>, but sorts <paramref name="scratch"/> (a copy the caller owns) in place.</summary>
    internal double NodeFragmentSorting(int modelId, Span<int> scratch, long freeCpu)
    {
        InsertionSort(scratch);
        var key = FragmentKey.Create(modelId, scratch, CpuBucket(freeCpu));
        if (_memo.TryGetValue(key, out var value))
        {
            return value;
        }

        value = Compute(modelId, scratch, freeCpu);
        if (_memo.Count >= MemoLimit)
        {
            _memo.Clear(); // bounded memory in long-running use; a miss only costs a recomputation
        }

        _memo[key] = value;
        return value;
    }

    /// <summary>The unmemoised definition, for tests and as the memo's source of truth.</summary>
    public double Compute(int modelId, ReadOnlySpan<int> free, long freeCpu)
    {
        var idle = 0;
        foreach (var f in free)
        {
            idle += f;
        }

        if (idle == 0)
        {
            return 0;
        }

        var total = 0.0;
        for (var t = 0; t < _p.Length; t++)
        {
            var m = _milli[t];
            if (m == 0 || modelId < 0 || (_mask[t] & (1UL << modelId)) == 0)
            {
                total += _p[t] * idle;
                continue;
            }

            int fits = 0, small = 0;
            foreach (var f in free)
            {
                if (f >= m)
                {
                    fits++;
                }
                else
                {
                    small += f;
                }
            }

            total += _p[t] * (fits >= _count[t] && freeCpu >= _cpu[t] ? small : idle);
        }

        return total;
    }

    private int CpuBucket(long freeCpu)
    {
        // Number of thresholds <= freeCpu: all that matters about free CPU for F.
        var lo = 0;
        var hi = _cpuThresholds.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (_cpuThresholds[mid] <= freeCpu)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static void InsertionSort(Span<int> values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            var v = values[i];
            var j = i - 1;
            while (j >= 0 && values[j] > v)
            {
                values[j + 1] = values[j];
                j--;
            }

            values[j + 1] = v;
        }
    }

    internal static int MaxGpus => Limits.MaxGpusPerNode;
}
