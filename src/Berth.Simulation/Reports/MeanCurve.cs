using Berth.Simulation.Metrics;

namespace Berth.Simulation.Reports;

/// <summary>The curve of one policy on one trace, averaged bin by bin over its seeds.</summary>
public sealed record MeanCurve(string Trace, string Policy, IReadOnlyList<CurvePoint> Points)
{
    /// <summary>
    /// One mean curve per (trace, policy) in first-appearance order. Bin b is the mean over the runs whose curve
    /// reaches b; a bin is left out when no run reaches it. Failed pods and events are averaged and rounded.
    /// </summary>
    public static IReadOnlyList<MeanCurve> Compute(IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var curves = new List<MeanCurve>();
        foreach (var (trace, policy, group) in PolicySummary.Group(runs))
        {
            var bins = group.Max(r => r.Curve.Count);
            var points = new List<CurvePoint>(bins);
            for (var bin = 0; bin < bins; bin++)
            {
                var at = group.Select(r => r.At(bin)).OfType<CurvePoint>().ToArray();
                if (at.Length == 0)
                {
                    continue;
                }

                points.Add(new CurvePoint(
                    bin,
                    at.Average(p => p.AllocationPercent),
                    at.Average(p => p.FragmentPercent),
                    at.Average(p => p.FragmentRatioPercent),
                    (int)Math.Round(at.Average(p => p.FailedPods)),
                    (int)Math.Round(at.Average(p => p.Events))));
            }

            curves.Add(new MeanCurve(trace, policy, points));
        }

        return curves;
    }
}
