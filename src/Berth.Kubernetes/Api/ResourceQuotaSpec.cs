using System.Text.Json.Serialization;

namespace Berth.Kubernetes.Api;

/// <summary>
/// A queue's (or cohort's) quota of one resource in one flavor, as Kubernetes quantities (<c>8</c>,
/// <c>500m</c>, <c>256Gi</c>). <see cref="NominalQuota"/> is guaranteed; <see cref="BorrowingLimit"/> caps
/// what may be borrowed from the cohort beyond it (absent: no cap); <see cref="LendingLimit"/> caps how much
/// of the unused nominal quota others may take (absent: all of it).
/// </summary>
public sealed record ResourceQuotaSpec
{
    [JsonPropertyName("nominalQuota")]
    [JsonConverter(typeof(QuantityJsonConverter))]
    public string? NominalQuota { get; init; }

    [JsonPropertyName("borrowingLimit")]
    [JsonConverter(typeof(QuantityJsonConverter))]
    public string? BorrowingLimit { get; init; }

    [JsonPropertyName("lendingLimit")]
    [JsonConverter(typeof(QuantityJsonConverter))]
    public string? LendingLimit { get; init; }
}
