namespace Berth.Kubernetes.Views;

/// <summary>A node in a <see cref="ClusterPicture"/>, before a caller's scope hides the holders they may not see.</summary>
internal sealed record NodeEntry(string Name, double Cpu, double MemoryGiB, IReadOnlyDictionary<string, string> Labels, bool Cordoned, IReadOnlyList<GpuSlot> Gpus);
