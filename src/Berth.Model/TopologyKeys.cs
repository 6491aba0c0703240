namespace Berth.Model;

/// <summary>Well-known node label keys that describe where a node sits. Later placement rules read them.</summary>
public static class TopologyKeys
{
    /// <summary>The block (a group of racks under one spine switch) a node is in.</summary>
    public const string Block = "topology.berth.io/block";

    /// <summary>The rack (top-of-rack switch) a node is in.</summary>
    public const string Rack = "topology.berth.io/rack";

    /// <summary>The NVLink (or NVSwitch) domain a node's GPUs belong to; nodes of one domain share a fast fabric.</summary>
    public const string NvlinkDomain = "topology.berth.io/nvlink-domain";

    /// <summary>The zone (failure domain), as in Kubernetes.</summary>
    public const string Zone = "topology.kubernetes.io/zone";

    /// <summary>
    /// The node itself, as Kubernetes labels every node; a node without the label is its own domain under its name,
    /// so "hostname" works as the narrowest topology level in scenarios too.
    /// </summary>
    public const string Hostname = "kubernetes.io/hostname";

    /// <summary>The GPU model label that GPU operators put on nodes.</summary>
    public const string GpuProduct = "nvidia.com/gpu.product";

    /// <summary>
    /// The label key for a short level name written in scenarios and manifests (block, rack, nvlink, zone, hostname);
    /// any other text is taken as a node label key as it stands.
    /// </summary>
    public static string Resolve(string name) => name switch
    {
        "block" => Block,
        "rack" => Rack,
        "nvlink" => NvlinkDomain,
        "zone" => Zone,
        "hostname" => Hostname,
        var key => key,
    };
}
