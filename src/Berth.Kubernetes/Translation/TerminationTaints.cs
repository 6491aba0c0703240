using Berth.Model;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// The taints that interruption handlers put on a node the cloud is about to take away (a spot reclaim, a scheduled
/// termination). A node with one gets a termination notice: its workloads are asked to checkpoint and requeued, and
/// nothing new goes there. Berth reads these rather than the clouds' metadata services, so it works with whichever
/// handler a cluster runs.
/// </summary>
public static class TerminationTaints
{
    /// <summary>The taint keys, each from the component that sets it.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "aws-node-termination-handler/spot-itn",                  // AWS Node Termination Handler: spot interruption notice
        "aws-node-termination-handler/asg-lifecycle-termination", // AWS Node Termination Handler: ASG termination
        "aws-node-termination-handler/scheduled-maintenance",     // AWS Node Termination Handler: scheduled EC2 event
        "cloud.google.com/impending-node-termination",            // GKE graceful node shutdown of spot / preemptible VMs
        "karpenter.sh/disrupted",                                 // Karpenter: the node is being disrupted
        "node.kubernetes.io/out-of-service",                      // Kubernetes: non-graceful node shutdown
    ];

    /// <summary>The first termination taint of <paramref name="taints"/> (as key, or key=value), or null.</summary>
    public static string? Notice(IEnumerable<Taint> taints)
    {
        ArgumentNullException.ThrowIfNull(taints);
        foreach (var taint in taints)
        {
            if (Keys.Contains(taint.Key, StringComparer.Ordinal))
            {
                return taint.Value is null ? $"taint {taint.Key}" : $"taint {taint.Key}={taint.Value}";
            }
        }

        return null;
    }
}
