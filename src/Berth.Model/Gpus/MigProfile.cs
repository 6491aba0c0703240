namespace Berth.Model.Gpus;

/// <summary>
/// A MIG GPU instance profile of one GPU model, as NVIDIA's MIG user guide lists it.
/// An instance of the profile covers <see cref="MemorySlices"/> memory slices starting at one of
/// <see cref="Starts"/>; NVML refuses to create an instance whose memory slices overlap another's.
/// </summary>
/// <param name="Name">The profile name without the <c>MIG </c> prefix, for example <c>3g.40gb</c> or <c>1g.10gb+me</c>.</param>
/// <param name="ComputeSlices">GPU compute slices (the number before <c>g</c>).</param>
/// <param name="MemorySlices">Memory slices covered (the size in <c>nvidia-smi mig -lgipp</c>'s <c>{starts}:size</c>).</param>
/// <param name="MemoryMiB">The instance's memory in MiB: its memory slices' share of the GPU's memory (the name rounds it).</param>
/// <param name="Starts">The memory-slice offsets an instance may start at, ascending.</param>
/// <param name="MaxInstances">The most instances of this profile one GPU may hold.</param>
/// <param name="MediaExtensions">True for a <c>+me</c> profile, which owns the GPU's single set of media engines.</param>
public sealed record MigProfile(
    string Name,
    int ComputeSlices,
    int MemorySlices,
    long MemoryMiB,
    IReadOnlyList<int> Starts,
    int MaxInstances,
    bool MediaExtensions)
{
    /// <summary>The Kubernetes extended resource the NVIDIA device plugin advertises for it under the mixed strategy.</summary>
    public string ResourceName => GpuResourceNames.MigPrefix + Name;

    /// <summary>True when an instance may start at <paramref name="start"/>.</summary>
    public bool AllowsStart(int start)
    {
        for (var i = 0; i < Starts.Count; i++)
        {
            if (Starts[i] == start)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The bit mask of the memory slices an instance starting at <paramref name="start"/> covers.</summary>
    public int SliceMask(int start) => ((1 << MemorySlices) - 1) << start;
}
