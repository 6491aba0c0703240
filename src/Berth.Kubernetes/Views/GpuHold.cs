namespace Berth.Kubernetes.Views;

/// <summary>
/// A pod holding <see cref="Share"/> of a GPU: the workload it belongs to (<see cref="Job"/>, its view id; null for a pod
/// no queue accounts for, e.g. one the default scheduler placed), its queue and namespace (what decides who may see it).
/// </summary>
internal sealed record GpuHold(string? Job, string Pod, string? Queue, string Namespace, double Share);
