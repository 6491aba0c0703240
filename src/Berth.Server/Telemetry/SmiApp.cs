namespace Berth.Server.Telemetry;

/// <summary>One compute process on a GPU, as one line of <c>nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory</c> says.</summary>
public sealed record SmiApp(int Pid, string GpuUuid, long? UsedMemoryMiB);
