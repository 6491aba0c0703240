namespace Berth.Engine.Admission;

/// <summary>A pod of an admitted workload as the truth outside has it: its pod set, its node and its GPUs (bit g = GPU g).</summary>
public readonly record struct RestoredPod(int PodSet, string Node, int GpuMask);
