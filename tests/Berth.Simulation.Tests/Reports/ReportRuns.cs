using Berth.Simulation.Metrics;

namespace Berth.Simulation.Tests.Reports;

/// <summary>Hand-made run results for report tests: a straight allocation curve with a chosen plateau.</summary>
internal static class ReportRuns
{
    public static RunResult Run(string trace, string policy, int seed, double plateau, int bins = 131, int failed = 3) => new()
    {
        Trace = trace,
        Policy = policy,
        Seed = seed,
        Mode = "inflation",
        Curve = Enumerable.Range(0, bins)
            .Select(b => new CurvePoint(b, Math.Min(b, plateau), 10 - (b / 20.0), 12, b > plateau ? failed : 0, 5))
            .ToArray(),
        SubmittedPods = 100,
        FailedPods = failed,
        FinalAllocationPercent = plateau,
        WallSeconds = 1.25,
        EventLogHash = "abc",
    };
}
