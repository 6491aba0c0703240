namespace Berth.Model;

/// <summary>Hard limits of the model, shared by validation and the engine's compact layouts.</summary>
public static class Limits
{
    /// <summary>One whole GPU in milli-GPU.</summary>
    public const int GpuMilliPerGpu = 1000;

    /// <summary>The most GPUs one node may have.</summary>
    public const int MaxGpusPerNode = 16;

    /// <summary>The most distinct GPU models one cluster may have (the engine keeps allowed models as a 64-bit mask).</summary>
    public const int MaxGpuModels = 64;
}
