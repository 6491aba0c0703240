namespace Berth.Kubernetes.Dra;

/// <summary>
/// A Kubernetes quantity inside a CEL expression (<c>device.capacity["domain"].memory</c>, <c>quantity("80Gi")</c>), as
/// its exact decimal value, so that <c>compareTo</c> and friends compare values, not texts.
/// </summary>
internal sealed record CelQuantity(decimal Value);
