namespace Berth.Server.Api;

/// <summary>A node: its GPUs and what holds each, CPU and memory, labels.</summary>
public sealed record NodeView(string Name, double Cpu, double MemoryGiB, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<GpuView> Gpus);
