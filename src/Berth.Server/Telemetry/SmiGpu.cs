namespace Berth.Server.Telemetry;

/// <summary>
/// One GPU as one line of <c>nvidia-smi --query-gpu=uuid,utilization.gpu,memory.used,ecc.errors.uncorrected.volatile.total,pci.bus_id</c>
/// says. A field nvidia-smi cannot give (<c>[N/A]</c>, <c>[Not Supported]</c>: ECC off, a vGPU) is null, never 0.
/// </summary>
/// <param name="Uuid">The GPU's UUID (<c>GPU-...</c>), as <c>CUDA_VISIBLE_DEVICES</c> names it.</param>
/// <param name="Utilization">Share of the last sample period in which a kernel ran on the GPU, 0 to 1.</param>
/// <param name="MemoryUsedMiB">Frame-buffer memory in use.</param>
/// <param name="UncorrectedEccErrors">Uncorrectable (double-bit) ECC errors since the driver loaded.</param>
/// <param name="PciBusId">The GPU's PCI address (<c>00000000:3B:00.0</c>): how the kernel log's XID lines name it.</param>
public sealed record SmiGpu(string Uuid, double? Utilization, long? MemoryUsedMiB, long? UncorrectedEccErrors, string? PciBusId = null);
