namespace Berth.Engine.Admission;

/// <summary>
/// Everything the skip of larger failures (<see cref="FailureFloors"/>) reads of a pending workload: its
/// priority, whether it is elastic or plain (one pod set, no constraints), its total request at its counts, and its
/// first pod set's count and pod size. Two workloads of one queue with equal shapes are skipped or tried alike, so a
/// cycle decides the skip once per shape and walks a queue by shape ids instead of asking per workload.
/// </summary>
internal readonly record struct WorkloadShape(
    int Priority,
    bool Elastic,
    bool Plain,
    long CpuMilli,
    long MemoryMiB,
    long GpuMilli,
    int Count,
    int PodGpuCount,
    long PodCpuMilli,
    long PodMemoryMiB,
    long PodGpuMilli)
{
}
