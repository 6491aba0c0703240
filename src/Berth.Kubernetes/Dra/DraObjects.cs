using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// The Dynamic Resource Allocation objects (<c>resource.k8s.io/v1</c>) one decision reads: the devices drivers publish
/// (ResourceSlices), the classes that name kinds of device (DeviceClasses), the claims pods make (ResourceClaims, with
/// their allocations) and the templates pods make claims from (ResourceClaimTemplates). Empty on a cluster without DRA.
/// </summary>
public sealed record DraObjects
{
    /// <summary>No DRA objects: a cluster without <c>resource.k8s.io/v1</c>, or a snapshot that predates it.</summary>
    public static readonly DraObjects Empty = new();

    public IReadOnlyList<V1ResourceSlice> Slices { get; init; } = [];

    public IReadOnlyList<V1DeviceClass> Classes { get; init; } = [];

    public IReadOnlyList<Resourcev1ResourceClaim> Claims { get; init; } = [];

    public IReadOnlyList<V1ResourceClaimTemplate> Templates { get; init; } = [];
}
