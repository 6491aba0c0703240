namespace Berth.Web;

/// <summary>
/// A node: its GPUs and what holds each, CPU and memory, labels, whether an admin cordoned it (nothing new goes there),
/// and its latest event (a GPU that went unhealthy or recovered; null: none, or a source that keeps no node events).
/// </summary>
public sealed record NodeView(string Name, double Cpu, double MemoryGiB, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<GpuView> Gpus, bool Cordoned = false, EventView? LastEvent = null);
