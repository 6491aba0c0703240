namespace Berth.Engine.Sharing;

/// <summary>
/// The MIG instances a pod holds on its node, packed into the int the engine keeps per placed pod (where a
/// whole-GPU pod keeps its GPU mask): instance k is bits 7k..7k+6, the GPU index times 8 plus the start slice.
/// Four instances fit (GPU index below 16, start below 8), which is why a pod asks for at most
/// <see cref="SharedGpus.MaxMigInstancesPerPod"/>. The pod's profile and count say how many fields are used.
/// </summary>
public static class MigMask
{
    private const int Bits = 7;

    /// <summary>The mask with instance <paramref name="k"/> at GPU <paramref name="gpu"/>, start <paramref name="start"/>.</summary>
    public static int With(int mask, int k, int gpu, int start) => mask | (((gpu << 3) | start) << (Bits * k));

    /// <summary>The GPU of instance <paramref name="k"/>.</summary>
    public static int Gpu(int mask, int k) => (mask >> (Bits * k) >> 3) & 0xF;

    /// <summary>The start slice of instance <paramref name="k"/>.</summary>
    public static int Start(int mask, int k) => (mask >> (Bits * k)) & 0x7;
}
