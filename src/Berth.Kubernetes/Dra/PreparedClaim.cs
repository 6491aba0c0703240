namespace Berth.Kubernetes.Dra;

/// <summary>A pod's claim with its requests compiled; <see cref="Error"/> (field and fix) when it cannot be allocated as written.</summary>
internal sealed record PreparedClaim(PodClaim Claim, IReadOnlyList<PreparedRequest> Requests, string? Error);
