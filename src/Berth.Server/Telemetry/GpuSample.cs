namespace Berth.Server.Telemetry;

/// <summary>
/// One reading of this machine's GPUs and the compute processes on them, taken at <see cref="At"/> (server clock).
/// <see cref="Problems"/> names the lines that were skipped as malformed; a skipped GPU is one whose state is unknown.
/// <see cref="Nvlink"/> holds the NVLink error counters (empty when <c>nvidia-smi nvlink -e</c> gave none).
/// </summary>
public sealed record GpuSample(DateTimeOffset At, IReadOnlyList<SmiGpu> Gpus, IReadOnlyList<SmiApp> Apps, IReadOnlyList<string> Problems, IReadOnlyList<NvlinkCounter>? Nvlink = null);
