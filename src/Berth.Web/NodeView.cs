namespace Berth.Web;

/// <summary>A node: its GPUs and what holds each, CPU and memory, labels, and whether an admin cordoned it (nothing new goes there).</summary>
public sealed record NodeView(string Name, double Cpu, double MemoryGiB, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<GpuView> Gpus, bool Cordoned = false);
