using System.Text.Json.Nodes;

namespace Berth.TestKit.Kubernetes.Fake;

/// <summary>
/// The update rules the real API server enforces on a <c>resource.k8s.io/v1</c> ResourceClaim, so that a scheduler
/// that would re-allocate a claim, or reserve one that is not allocated, is refused here as it would be there:
/// the spec is immutable, <c>status.allocation</c> may be set once (or removed) but never changed, and
/// <c>status.reservedFor</c> needs an allocation and holds at most 256 consumers.
/// </summary>
internal static class ResourceClaimStrategy
{
    /// <summary>The most consumers a claim may be reserved for (<c>ResourceClaimReservedForMaxSize</c>).</summary>
    public const int ReservedForMaxSize = 256;

    /// <summary>The 422 the server answers, or null when <paramref name="next"/> is a legal successor of <paramref name="old"/>.</summary>
    public static ApiResult? Validate(ResourceDefinition resource, string name, JsonObject old, JsonObject next)
    {
        if (!JsonNode.DeepEquals(old["spec"], next["spec"]))
        {
            return ApiStatus.Invalid(resource, name, "spec", "Invalid value: field is immutable");
        }

        var oldAllocation = old["status"]?["allocation"];
        var allocation = next["status"]?["allocation"];
        if (oldAllocation is not null && allocation is not null && !JsonNode.DeepEquals(oldAllocation, allocation))
        {
            return ApiStatus.Invalid(resource, name, "status.allocation", "Invalid value: field is immutable");
        }

        var reservedFor = next["status"]?["reservedFor"] as JsonArray;
        if (reservedFor is { Count: > 0 } && allocation is null)
        {
            return ApiStatus.Invalid(resource, name, "status.reservedFor",
                "Forbidden: may not be specified when `allocated` is not set");
        }

        if (reservedFor is { Count: > ReservedForMaxSize })
        {
            return ApiStatus.Invalid(resource, name, "status.reservedFor",
                $"Too many: {reservedFor.Count}: must have at most {ReservedForMaxSize} items");
        }

        return null;
    }
}
