using Berth.Model;

namespace Berth.Kubernetes.Controller;

/// <summary>Capacity on <see cref="Node"/> that no queue is charged for: a pod's request on the GPUs of <see cref="GpuMask"/> (null: none named).</summary>
public sealed record HeldPod(string Node, Pod Pod, int? GpuMask);
