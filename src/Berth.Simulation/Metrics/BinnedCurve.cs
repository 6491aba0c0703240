namespace Berth.Simulation.Metrics;

/// <summary>
/// Aggregates per-event samples into integer bins of arrived % of GPU capacity. A bin's value is the mean of
/// the samples whose arrived % rounds to it (half to even, as the published analysis does), so bin 100 holds
/// the samples from 99.5% to 100.5%; a bin no sample fell in repeats the bin before it.
/// </summary>
public sealed class BinnedCurve
{
    private readonly int _maxBin;
    private readonly double[] _alloc;
    private readonly double[] _frag;
    private readonly double[] _ratio;
    private readonly int[] _failed;
    private readonly int[] _count;

    public BinnedCurve(int maxBin)
    {
        _maxBin = maxBin;
        _alloc = new double[maxBin + 1];
        _frag = new double[maxBin + 1];
        _ratio = new double[maxBin + 1];
        _failed = new int[maxBin + 1];
        _count = new int[maxBin + 1];
    }

    /// <summary>Adds one sample; percentages in 0..100 (arrived may exceed 100).</summary>
    public void Add(double arrivedPercent, double allocationPercent, double fragmentPercent, double fragmentRatioPercent, int failedSoFar)
    {
        var bin = (int)Math.Round(arrivedPercent, MidpointRounding.ToEven);
        if (bin < 0 || bin > _maxBin)
        {
            return;
        }

        _alloc[bin] += allocationPercent;
        _frag[bin] += fragmentPercent;
        _ratio[bin] += fragmentRatioPercent;
        _failed[bin] = failedSoFar;
        _count[bin]++;
    }

    public IReadOnlyList<CurvePoint> Points()
    {
        var points = new CurvePoint[_maxBin + 1];
        CurvePoint? previous = null;
        for (var bin = 0; bin <= _maxBin; bin++)
        {
            var n = _count[bin];
            points[bin] = n == 0
                ? (previous ?? new CurvePoint(0, 0, 0, 0, 0, 0)) with { ArrivedPercent = bin, Events = 0 }
                : new CurvePoint(bin, _alloc[bin] / n, _frag[bin] / n, _ratio[bin] / n, _failed[bin], n);
            previous = points[bin];
        }

        return points;
    }
}
