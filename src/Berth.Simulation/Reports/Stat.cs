namespace Berth.Simulation.Reports;

/// <summary>Mean and sample standard deviation of one figure over the seeds of a policy; NaN when no run has the figure.</summary>
public readonly record struct Stat(double Mean, double StdDev, int Count)
{
    /// <summary>Mean and sample standard deviation (n - 1; 0 for one value) of the finite values; NaN samples are skipped.</summary>
    public static Stat Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return new Stat(double.NaN, double.NaN, 0);
        }

        var mean = finite.Average();
        var variance = finite.Length > 1 ? finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1) : 0;
        return new Stat(mean, Math.Sqrt(variance), finite.Length);
    }

    public bool HasValue => Count > 0;
}
