using System.Text.Json.Serialization;
using k8s.Models;

namespace Berth.Kubernetes.Api;

/// <summary>The desired state of a <see cref="Flavor"/>.</summary>
public sealed record FlavorSpec
{
    /// <summary>A node belongs to the flavor when it carries all of these labels.</summary>
    [JsonPropertyName("nodeLabels")]
    public IDictionary<string, string>? NodeLabels { get; init; }

    /// <summary>
    /// The taints the flavor's nodes carry (Kueue's <c>nodeTaints</c>), for display and for Kueue users'
    /// manifests; Berth places pods by the nodes' real taints, so these do not change a decision.
    /// </summary>
    [JsonPropertyName("nodeTaints")]
    public IList<V1Taint>? NodeTaints { get; init; }

    /// <summary>Tolerations that pods admitted in the flavor get (the taints of its nodes they may ignore).</summary>
    [JsonPropertyName("tolerations")]
    public IList<V1Toleration>? Tolerations { get; init; }

    /// <summary>
    /// The topology levels of the flavor's nodes, widest first (Kueue's Topology <c>levels</c>): node label keys, or
    /// the short names block, rack, nvlink, zone, hostname. A pod group that prefers one level climbs them.
    /// </summary>
    [JsonPropertyName("topologyLevels")]
    public IList<string>? TopologyLevels { get; init; }

    /// <summary>
    /// Spot capacity that the cloud may reclaim at short notice: only workloads that checkpoint, are preemptible or
    /// tolerate spot are admitted in the flavor. Absent: false.
    /// </summary>
    [JsonPropertyName("spot")]
    public bool? Spot { get; init; }
}
