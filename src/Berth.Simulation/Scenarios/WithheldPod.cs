using Berth.Model;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Capacity the simulation starts without and never gets back: a pod Berth does not manage (another
/// scheduler's, a DaemonSet's) on <see cref="Node"/>, on the GPUs of <see cref="GpuMask"/> (null: the lowest free ones).
/// </summary>
public sealed record WithheldPod(string Node, Pod Pod, int? GpuMask);
