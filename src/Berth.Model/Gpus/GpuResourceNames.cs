namespace Berth.Model.Gpus;

/// <summary>
/// The Kubernetes resource names a GPU request is written with, in every input Berth reads
/// (scenario and workload files now; the server's API and Kubernetes pods read the same names).
/// </summary>
public static class GpuResourceNames
{
    /// <summary>Whole GPUs, NVIDIA's device plugin resource.</summary>
    public const string Gpu = "nvidia.com/gpu";

    /// <summary>One replica of a time-sliced GPU, as the device plugin advertises it with <c>renameByDefault</c>.</summary>
    public const string SharedGpu = "nvidia.com/gpu.shared";

    /// <summary>Prefix of a MIG device resource under the device plugin's mixed strategy: <c>nvidia.com/mig-3g.40gb</c>.</summary>
    public const string MigPrefix = "nvidia.com/mig-";

    /// <summary>A share of one GPU in milli-GPU (1..1000), Berth's own unit (the same name as its pod annotation).</summary>
    public const string GpuShare = "berth.dev/gpu-share";

    /// <summary>GPU memory needed on one GPU, a Kubernetes quantity (for example <c>20Gi</c>).</summary>
    public const string GpuMemory = "berth.dev/gpu-memory";

    /// <summary>The MIG profile a resource name asks for (<c>nvidia.com/mig-3g.40gb</c> gives <c>3g.40gb</c>); null for other names.</summary>
    public static string? MigProfileOf(string resourceName)
    {
        ArgumentNullException.ThrowIfNull(resourceName);
        return resourceName.StartsWith(MigPrefix, StringComparison.Ordinal) && resourceName.Length > MigPrefix.Length
            ? resourceName[MigPrefix.Length..]
            : null;
    }
}
