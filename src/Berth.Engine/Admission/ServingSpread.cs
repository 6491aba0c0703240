using Berth.Engine.Framework;
using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Spread placement for serving replicas (<see cref="Workload.ServingGroup"/>), as kube-scheduler's PodTopologySpread
/// with <c>whenUnsatisfiable: ScheduleAnyway</c> on zone, rack and hostname: a replica's pod goes to the nodes whose
/// zone, then rack, then node hold the fewest pods of its group (compared in that order), and the placement policy's
/// score (packing) chooses only among those. When none of them fits, the next fewest are tried, so spreading never
/// keeps a replica waiting that packing would start. A node without a zone (rack) label counts as holding none of the
/// group at that level.
///
/// The per-group counts per domain are kept incrementally at the one place pods are taken and given back
/// (<see cref="PodLedger"/>), so trials
/// (the gang's own pods placed so far, victims released in a preemption trial) see the counts of the state they
/// change, and a rollback restores them. Pods are known by reference: the pods a workload is placed with are those
/// of <see cref="WorkloadState.PodsFor"/>, built once per flavor. Training pods are never looked up when no serving
/// workload is known, so training placement is unchanged.
/// </summary>
internal sealed class ServingSpread
{
    /// <summary>Counts above this compare as equal (a key packs three counts into one long).</summary>
    internal const int MaxCount = (1 << 20) - 1;

    private readonly int[] _zoneOf;
    private readonly int[] _rackOf;
    private readonly int _zones;
    private readonly int _racks;
    private readonly Dictionary<Pod, ServingGroupCounts> _groupOfPod = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, ServingGroupCounts> _groups = new(StringComparer.Ordinal);
    private readonly List<long> _keys = [];
    private readonly List<int> _subset = [];

    public ServingSpread(IReadOnlyList<Node> nodes)
    {
        _zoneOf = DomainIds(nodes, TopologyKeys.Zone, out _zones);
        _rackOf = DomainIds(nodes, TopologyKeys.Rack, out _racks);
    }

    /// <summary>Pods of the group of <paramref name="group"/> per node (0 for a group never placed).</summary>
    public int OnNode(string group, int node) => _groups.TryGetValue(group, out var g) ? g.Nodes.GetValueOrDefault(node) : 0;

    /// <summary>Makes the pods of a serving workload known (idempotent) and returns them; other workloads' pods pass through.</summary>
    public Pod[] Know(WorkloadState w, Pod[] pods)
    {
        if (w.Workload.ServingGroup is not { } name)
        {
            return pods;
        }

        if (!_groups.TryGetValue(name, out var group))
        {
            group = new ServingGroupCounts(_zones, _racks);
            _groups[name] = group;
        }

        foreach (var pod in pods)
        {
            _groupOfPod.TryAdd(pod, group);
        }

        return pods;
    }

    /// <summary>Forgets an ended workload's pods (its placements were released before).</summary>
    public void Forget(WorkloadState w)
    {
        if (w.Workload.ServingGroup is null || w.FlavorPods is null)
        {
            return;
        }

        foreach (var pods in w.FlavorPods)
        {
            foreach (var pod in pods ?? [])
            {
                _groupOfPod.Remove(pod);
            }
        }
    }

    /// <summary>A pod was placed on <paramref name="node"/>.</summary>
    public void Placed(Pod pod, int node) => Count(pod, node, 1);

    /// <summary>A pod left <paramref name="node"/>.</summary>
    public void Released(Pod pod, int node) => Count(pod, node, -1);

    /// <summary>
    /// Places <paramref name="pod"/> (of a known serving workload) among <paramref name="nodes"/> (ascending), spread:
    /// the fewest-replica nodes first, as the type says. Counted as a decision of the placer unless
    /// <paramref name="uncounted"/> (a what-if). A pod of no known group is placed as the policy alone says.
    /// </summary>
    public PlacementResult Place(Placer placer, Pod pod, int[] nodes, bool uncounted)
    {
        if (!_groupOfPod.TryGetValue(pod, out var group) || group.Total == 0)
        {
            return uncounted ? placer.PlaceUncounted(pod, nodes) : placer.Place(pod, nodes);
        }

        // The distinct keys among the allowed nodes, fewest first; each tier is tried with the policy's score inside it.
        _keys.Clear();
        foreach (var n in nodes)
        {
            _keys.Add(group.Key(n, _zoneOf[n], _rackOf[n]));
        }

        var distinct = _keys.Distinct().Order().ToArray();
        if (distinct.Length > 1)
        {
            foreach (var key in distinct)
            {
                _subset.Clear();
                for (var i = 0; i < nodes.Length; i++)
                {
                    if (_keys[i] == key)
                    {
                        _subset.Add(nodes[i]);
                    }
                }

                var tier = _subset.ToArray();
                if (placer.Evaluate(pod, tier).Placed)
                {
                    return uncounted ? placer.PlaceUncounted(pod, tier) : placer.Place(pod, tier);
                }
            }
        }

        // One tier, or none fits: the whole set decides (and says why nothing fits).
        return uncounted ? placer.PlaceUncounted(pod, nodes) : placer.Place(pod, nodes);
    }

    private void Count(Pod pod, int node, int delta)
    {
        if (_groupOfPod.Count == 0 || !_groupOfPod.TryGetValue(pod, out var group))
        {
            return;
        }

        group.Add(node, _zoneOf[node], _rackOf[node], delta);
    }

    /// <summary>Each node's domain of label <paramref name="key"/> as a small id (-1: no label), ids in order of value.</summary>
    private static int[] DomainIds(IReadOnlyList<Node> nodes, string key, out int count)
    {
        var values = nodes.Select(n => n.Labels.GetValueOrDefault(key)).OfType<string>()
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            ids[values[i]] = i;
        }

        count = values.Length;
        return nodes.Select(n => n.Labels.TryGetValue(key, out var v) ? ids[v] : -1).ToArray();
    }
}
