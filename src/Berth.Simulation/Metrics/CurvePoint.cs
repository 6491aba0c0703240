namespace Berth.Simulation.Metrics;

/// <summary>
/// The cluster at one integer bin of arrived GPU demand (% of capacity): mean GPU allocation ratio,
/// fragment amount (% of capacity) and fragmentation ratio (% of idle GPU) over the events in the bin,
/// and the pods failed so far.
/// </summary>
public sealed record CurvePoint(int ArrivedPercent, double AllocationPercent, double FragmentPercent, double FragmentRatioPercent, int FailedPods, int Events);
