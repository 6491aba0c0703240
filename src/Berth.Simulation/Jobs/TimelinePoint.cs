namespace Berth.Simulation.Jobs;

/// <summary>The cluster at one moment: GPUs allocated, doing work, held idle by partial gangs, and per queue.</summary>
public sealed record TimelinePoint(TimeSpan At, double AllocatedGpus, double BusyGpus, double IdleGangGpus, IReadOnlyList<double> QueueGpus, int Pending);
