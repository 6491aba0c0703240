namespace Berth.Model;

/// <summary>Well-known node label keys that describe where a node sits. Later placement rules read them.</summary>
public static class TopologyKeys
{
    /// <summary>The rack (top-of-rack switch) a node is in.</summary>
    public const string Rack = "topology.berth.io/rack";

    /// <summary>The NVLink (or NVSwitch) domain a node's GPUs belong to; nodes of one domain share a fast fabric.</summary>
    public const string NvlinkDomain = "topology.berth.io/nvlink-domain";

    /// <summary>The zone (failure domain), as in Kubernetes.</summary>
    public const string Zone = "topology.kubernetes.io/zone";

    /// <summary>The GPU model label that GPU operators put on nodes.</summary>
    public const string GpuProduct = "nvidia.com/gpu.product";
}
