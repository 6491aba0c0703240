namespace Berth.Simulation.Formats;

/// <summary>
/// What a pod's <c>resources</c> mapping asks of GPUs, in Kubernetes resource names; each part is null (or 0 for
/// counts) when the mapping does not name it.
/// </summary>
internal sealed record GpuRequest(int? Gpus, long? Milli, long GpuMemoryMiB, string? MigProfile, int MigCount, int SharedReplicas)
{
    public static GpuRequest None { get; } = new(null, null, 0, null, 0, 0);
}
