namespace Berth.Engine.Admission;

/// <summary>A running workload and the work it would lose if evicted now (GPU-seconds since its last checkpoint).</summary>
internal readonly record struct EvictionCandidate(WorkloadState W, double Lost);
