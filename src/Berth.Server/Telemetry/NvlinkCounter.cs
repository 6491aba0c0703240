namespace Berth.Server.Telemetry;

/// <summary>One NVLink error counter of one GPU's link, as <c>nvidia-smi nvlink -e</c> prints it.</summary>
/// <param name="Uuid">The GPU's UUID.</param>
/// <param name="Link">The link's number.</param>
/// <param name="Counter">nvidia-smi's name for it: <c>Replay</c>, <c>Recovery</c> or <c>CRC</c>.</param>
/// <param name="Value">Errors counted since the driver loaded (or since the counters were reset).</param>
public sealed record NvlinkCounter(string Uuid, int Link, string Counter, long Value);
