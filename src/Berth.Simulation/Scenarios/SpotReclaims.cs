namespace Berth.Simulation.Scenarios;

/// <summary>
/// The scenario's spot reclaims (<c>spotReclaims</c>): how often the cloud takes a spot node back, how long the node
/// is gone, and the seed of the draws. A reclaimed node's workloads are requeued and lose the work since their last
/// checkpoint, which is what checkpoint-aware placement on spot flavors is meant to keep small.
/// </summary>
public sealed record SpotReclaims(double RatePerHour, TimeSpan Downtime, int Seed);
