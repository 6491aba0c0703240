using Berth.Model;

namespace Berth.Runtime.View;

/// <summary>
/// A node of a <see cref="ClusterView"/>. <see cref="Usable"/>: new pods may go there (ready, not cordoned).
/// <see cref="Healthy"/>: what runs there may stay (ready). <see cref="UnhealthyGpuMask"/>: GPUs out of capacity.
/// </summary>
public sealed record ViewNode(Node Node, bool Usable, bool Healthy, int UnhealthyGpuMask)
{
    /// <summary>Taint that marks a node taking nothing new (cordoned, unready, all GPUs unhealthy) in a what-if cluster.</summary>
    public const string UnusableTaint = "berth.dev/unusable";

    /// <summary>
    /// What announced that the node is about to be taken away (a spot reclaim: the taint or condition an interruption
    /// handler set), or null. Its workloads are asked to checkpoint and requeued, and nothing new goes there.
    /// </summary>
    public string? TerminationNotice { get; init; }

    public string Name => Node.Name;

    /// <summary>The node for a what-if run: an unusable one carries <see cref="UnusableTaint"/>, so nothing new goes there.</summary>
    public Node Scheduled => Usable ? Node : Node with { Taints = [.. Node.Taints, new Taint(UnusableTaint, null, TaintEffect.NoSchedule)] };

    /// <summary>Mask of all the node's GPUs.</summary>
    public int AllGpus => Node.GpuCount >= 32 ? -1 : (1 << Node.GpuCount) - 1;
}
