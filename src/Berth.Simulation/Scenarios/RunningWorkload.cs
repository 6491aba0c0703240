using Berth.Engine.Admission;
using Berth.Model.Queueing;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// A workload already running when the simulation starts (a snapshot of a live cluster): admitted in
/// <see cref="Flavor"/> with its pods where <see cref="Pods"/> says (pods not listed are placed at time 0 if
/// they fit, else only charged to quota), having run <see cref="Elapsed"/> so far (counted against its max run
/// time). It runs on for its <see cref="Workload.Duration"/>, the work it has left, unless evicted.
/// </summary>
public sealed record RunningWorkload(Workload Workload, string Flavor, IReadOnlyList<RestoredPod> Pods)
{
    public TimeSpan Elapsed { get; init; }
}
