using Berth.Engine.Framework;
using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Locality;

/// <summary>
/// Data locality for gang placement: a pod of a workload that names datasets goes to the nodes that cache the most of
/// its data (in GB) that have room, the placement policy's score choosing inside each such tier, and to any node
/// after that; while the workload's bounded locality wait lasts, only nodes that cache every one of its datasets
/// may take it. Nodes are indexed by dataset once, so a decision reads only the nodes that cache one of the
/// workload's datasets, never every node per dataset. A workload without datasets takes exactly the placer's own
/// path (<see cref="Place"/> is then one call), so its decisions and every event-log hash stay as they were.
/// </summary>
internal sealed class DataLocality(AdmissionScheduler s)
{
    private readonly Dictionary<string, int[]> _nodesByDataset = IndexByDataset(s.Cluster.Nodes);
    private readonly Dictionary<int, double> _cachedGb = [];

    /// <summary>True when the last trial begun by <see cref="BeginAttempt"/> was held back by a locality wait.</summary>
    public bool HeldInAttempt { get; private set; }

    /// <summary>Starts a new admission attempt: forgets whether an earlier one was held back.</summary>
    public void BeginAttempt() => HeldInAttempt = false;

    /// <summary>
    /// The nodes among <paramref name="nodes"/> (ascending) that <paramref name="w"/> may use at <paramref name="now"/>:
    /// during its locality wait (from when it started to wait), those that cache every one of its datasets, with
    /// <paramref name="waitUntil"/> set to the end of the wait; otherwise (no wait, the wait over, no such node among
    /// <paramref name="nodes"/>, or locality off) <paramref name="nodes"/> itself and null.
    /// </summary>
    public int[] Restrict(WorkloadState w, int[] nodes, TimeSpan now, out TimeSpan? waitUntil)
    {
        waitUntil = null;
        var workload = w.Workload;
        if (!s.Options.DataLocality || workload.Datasets.Count == 0 || workload.LocalityWait is not { } wait || now >= w.PendingSince + wait)
        {
            return nodes;
        }

        var tiers = Tiers(workload, nodes);
        var full = workload.Datasets.Sum(d => d.SizeGb);
        if (tiers.Count == 0 || tiers[0].Gb < full || tiers[0].Nodes.Length == nodes.Length)
        {
            return nodes;
        }

        waitUntil = w.PendingSince + wait;
        HeldInAttempt = true;
        return tiers[0].Nodes;
    }

    /// <summary>
    /// Places one pod of <paramref name="w"/> among <paramref name="nodes"/> (ascending): tier by tier from the nodes
    /// that cache the most of its data, then among all of <paramref name="nodes"/>. Uncounted (a what-if) with
    /// <paramref name="whatIf"/>.
    /// </summary>
    public PlacementResult Place(WorkloadState w, Pod pod, int[] nodes, bool whatIf)
    {
        if (s.Options.DataLocality && w.Workload.Datasets.Count > 0)
        {
            foreach (var (_, tier) in Tiers(w.Workload, nodes))
            {
                if (tier.Length == nodes.Length)
                {
                    break; // every allowed node is in this tier: the plain placement below decides the same
                }

                var result = whatIf ? s.Placer.PlaceUncounted(pod, tier) : s.Placer.Place(pod, tier);
                if (result.Placed)
                {
                    return result;
                }
            }
        }

        return whatIf ? s.Placer.PlaceUncounted(pod, nodes) : s.Placer.Place(pod, nodes);
    }

    /// <summary>
    /// The nodes among <paramref name="allowed"/> (ascending) that cache some of <paramref name="workload"/>'s datasets,
    /// grouped by the GB of its data they cache, most first; each group ascending.
    /// </summary>
    private List<(double Gb, int[] Nodes)> Tiers(Workload workload, int[] allowed)
    {
        _cachedGb.Clear();
        foreach (var dataset in workload.Datasets)
        {
            if (!_nodesByDataset.TryGetValue(dataset.Name, out var holders))
            {
                continue;
            }

            foreach (var n in holders)
            {
                if (Array.BinarySearch(allowed, n) >= 0)
                {
                    _cachedGb[n] = _cachedGb.GetValueOrDefault(n) + dataset.SizeGb;
                }
            }
        }

        var tiers = _cachedGb
            .GroupBy(pair => pair.Value)
            .OrderByDescending(g => g.Key)
            .Select(g => (g.Key, g.Select(pair => pair.Key).Order().ToArray()))
            .ToList();
        return tiers;
    }

    private static Dictionary<string, int[]> IndexByDataset(IReadOnlyList<Node> nodes)
    {
        var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var n = 0; n < nodes.Count; n++)
        {
            foreach (var name in nodes[n].CachedDatasets)
            {
                if (!index.TryGetValue(name, out var list))
                {
                    index[name] = list = [];
                }

                if (list.Count == 0 || list[^1] != n)
                {
                    list.Add(n);
                }
            }
        }

        return index.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
    }
}
