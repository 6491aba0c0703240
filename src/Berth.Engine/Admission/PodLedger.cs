using Berth.Engine.Framework;
using Berth.Model;

namespace Berth.Engine.Admission;

/// <summary>
/// The one place the scheduler takes and gives back a pod's resources, so that every index kept beside the cluster
/// stays in step with it, trials and rollbacks included: the placer's state, the free GPUs of each flavor
/// (<see cref="FlavorLayout"/>) and where each serving group's replicas run (<see cref="ServingSpread"/>).
/// </summary>
internal sealed class PodLedger(Placer placer, ClusterState cluster, FlavorLayout layout, ServingSpread spread)
{
    /// <summary>Where serving replicas run, per group and domain, and their spread placement.</summary>
    public ServingSpread Spread => spread;

    /// <summary>Takes <paramref name="pod"/>'s resources on <paramref name="node"/> (GPUs <paramref name="mask"/>) outside a placement decision.</summary>
    public void Reserve(Pod pod, int node, int mask)
    {
        placer.Reserve(cluster.Compile(pod), node, mask);
        Placed(pod, node);
    }

    /// <summary>Gives back what <paramref name="pod"/> holds on <paramref name="node"/>.</summary>
    public void Release(Pod pod, int node, int mask)
    {
        placer.Unreserve(pod, node, mask);
        layout.Give(node, pod.GpuDemandMilli);
        spread.Released(pod, node);
    }

    /// <summary>The placer put <paramref name="pod"/> on <paramref name="node"/> (and took its resources there): the indexes follow.</summary>
    public void Placed(Pod pod, int node)
    {
        layout.Take(node, pod.GpuDemandMilli);
        spread.Placed(pod, node);
    }
}
