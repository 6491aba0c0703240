namespace Berth.Model;

/// <summary>A GPU model Berth knows: its name as written in traces and manifests, and its memory per GPU.</summary>
public sealed record GpuModelInfo(string Name, long MemoryMiB);
