using Berth.Model;

namespace Berth.Engine.Admission;

/// <summary>One placed pod of an admitted workload: the pod (with its flavor's tolerations), the node and the GPUs.</summary>
public readonly record struct PodPlacement(int PodSet, Pod Pod, int Node, int GpuMask);
