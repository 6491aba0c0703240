namespace Berth.Engine.Admission;

/// <summary>
/// A pod of an admitted workload as the truth outside has it: its pod set, its node and its GPUs (bit g = GPU g).
/// A mask of 0 for a pod that uses GPUs means the outside does not say which (another scheduler placed it): the
/// lowest free GPUs of the node are taken.
/// </summary>
public readonly record struct RestoredPod(int PodSet, string Node, int GpuMask);
