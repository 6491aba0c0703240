using Berth.Model;

namespace Berth.Simulation.Input;

/// <summary>A pod of a trace or workload file: the request, and when it arrives and leaves (seconds from the trace's start; null when unknown).</summary>
public sealed record TracePod(Pod Pod, long? CreationTime, long? DeletionTime);
