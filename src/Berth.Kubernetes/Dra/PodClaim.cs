using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// One entry of a pod's <c>spec.resourceClaims</c>, resolved: the claim it names, or the template a claim is still to be
/// made from (<see cref="Claim"/> null). <see cref="Where"/> and <see cref="SpecPath"/> name the object and the path of
/// its claim spec in error messages.
/// </summary>
internal sealed record PodClaim(string PodClaimName, Resourcev1ResourceClaim? Claim, V1ResourceClaimTemplate? Template, V1ResourceClaimSpec Spec, string Where, string SpecPath)
{
    /// <summary>True when the claim exists and is allocated (to this pod already, or shared with another).</summary>
    public bool Allocated => Claim?.Status?.Allocation is not null;

    /// <summary>The node an allocated claim is pinned to; null when it is not allocated or reaches every node.</summary>
    public string? AllocatedNode => NodeSelectors.PinnedNode(Claim?.Status?.Allocation?.NodeSelector);

    /// <summary><c>namespace/name</c> of the existing claim; null for a claim still to be made from its template.</summary>
    public string? ClaimKey => Claim?.Metadata is { } meta ? meta.NamespaceProperty + "/" + meta.Name : null;
}
