using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// What a binding writes for one of its pod's claims before the pod is bound: the claim made from
/// <see cref="Template"/> when <see cref="ClaimName"/> is null, its allocation (<see cref="Devices"/> on
/// <see cref="Node"/>; null when the claim is allocated already, shared with another pod) and the pod in its
/// <c>status.reservedFor</c>. <see cref="PodUid"/> is the pod's (the claim's owner and consumer), so the write needs no read of the pod.
/// </summary>
public sealed record ClaimWrite(string PodClaimName, string? ClaimName, V1ResourceClaimTemplate? Template, IReadOnlyList<DeviceChoice>? Devices, string Node, string PodUid);
