namespace Berth.Engine.Framework;

/// <summary>
/// Pods that every filter and keyed score treat alike: the same compiled request and, where nodes can be told apart by
/// labels or taints, the same node selector and tolerations (as one canonical string; null when neither is set).
/// </summary>
internal readonly record struct PodClassKey(PodRequest Request, string? Constraints);
