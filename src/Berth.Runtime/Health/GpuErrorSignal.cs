namespace Berth.Runtime.Health;

/// <summary>
/// One error signal of one GPU in one reading: <paramref name="Gpu"/> names the GPU (a UUID, or <c>node/index</c>),
/// <paramref name="Name"/> the signal (<c>DCGM_FI_DEV_XID_ERRORS</c>, <c>ecc.errors.uncorrected.volatile.total</c>).
/// </summary>
public sealed record GpuErrorSignal(string Gpu, string Name, GpuSignalKind Kind, long Value);
