using Berth.Engine.Fragmentation;

namespace Berth.Engine.Framework;

/// <summary>What plugin factories may read when a placer is built.</summary>
public sealed record PluginContext(ClusterState Cluster, TargetWorkload? TargetWorkload)
{
    /// <summary>
    /// Shared by the fragmentation-aware plugins and by whoever reports fragmentation, so the memo is built once.
    /// Created on first use from <see cref="TargetWorkload"/>.
    /// </summary>
    public FragmentCalculator Fragments => _fragments ??= new FragmentCalculator(Cluster,
        TargetWorkload ?? throw new InvalidOperationException("this profile measures fragmentation: pass a target workload (the typical pods) in the plugin context"));

    private FragmentCalculator? _fragments;

}
