using Berth.Model;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// A node as the planner reads it. <see cref="Usable"/>: new pods may go there (Ready and not cordoned).
/// <see cref="Healthy"/>: what runs there may stay (Ready). <see cref="UnhealthyGpuMask"/>: GPUs out of capacity.
/// </summary>
internal sealed record NodeInfo(Node Node, bool Usable, bool Healthy, int UnhealthyGpuMask)
{
    /// <summary>The node without the taint that marks it unusable in a <see cref="ClusterReading"/>: what the decision's engine holds (it withholds an unusable node's free capacity instead, so a workload is not judged never to fit while a node is only cordoned).</summary>
    public required Node Plain { get; init; }
}
