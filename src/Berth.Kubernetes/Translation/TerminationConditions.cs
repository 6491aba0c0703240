using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Node conditions that announce the node is about to go away: the other way, besides <see cref="TerminationTaints"/>,
/// that interruption handlers tell the cluster. Node Problem Detector plugins report such notices as conditions
/// (status <c>True</c>) rather than taints. A node with one gets the same termination notice as a tainted node: its
/// workloads are asked to checkpoint and requeued, and nothing new goes there. The types are configurable (the
/// operator's <c>--termination-conditions</c>) because no type is standard across clouds.
/// </summary>
public static class TerminationConditions
{
    /// <summary>
    /// The default types: <c>TerminationScheduled</c> and <c>SpotInterruption</c>, the names custom Node Problem Detector
    /// plugins use for a scheduled termination and a spot interruption notice. AKS's <c>VMEventScheduled</c> is left out
    /// by default because it also announces a freeze or a reboot, after which the node comes back; add it when a
    /// requeue on every scheduled VM event is wanted.
    /// </summary>
    public static readonly IReadOnlyList<string> Defaults = ["TerminationScheduled", "SpotInterruption"];

    /// <summary>The first condition of <paramref name="node"/> whose type is one of <paramref name="types"/> and whose status is True, described; null when none.</summary>
    public static string? Notice(V1Node node, IReadOnlyCollection<string> types)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(types);
        foreach (var condition in node.Status?.Conditions ?? [])
        {
            if (condition is { Status: "True", Type: { } type } && types.Contains(type, StringComparer.Ordinal))
            {
                return string.IsNullOrEmpty(condition.Reason) ? $"condition {type}" : $"condition {type} ({condition.Reason})";
            }
        }

        return null;
    }
}
