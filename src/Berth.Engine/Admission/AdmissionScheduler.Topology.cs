using Berth.Model;

namespace Berth.Engine.Admission;

// Topology sub-groups: the pods of a pod set with a topology key all go inside one domain (one rack, one
// NVLink domain) of that label; each such set of a gang chooses its own domain.
public sealed partial class AdmissionScheduler
{
    private readonly Dictionary<(int Flavor, string Key), (string Value, int[] Nodes)[]> _domains = [];

    /// <summary>
    /// Places <paramref name="count"/> pods of set <paramref name="set"/> inside one domain of <paramref name="key"/>
    /// among <paramref name="allowed"/>, trying domains from the one with the least free GPU that could hold
    /// them (so that big domains stay whole for big sets), then by domain name. Placements go to the
    /// statement and <see cref="_scratch"/>; on failure nothing of this set remains.
    /// </summary>
    private bool PlaceInOneDomain(WorkloadState w, int f, int set, int count, Pod pod, int[] allowed, string key)
    {
        var domains = DomainsOf(f, key);
        var allowedSet = allowed.Length == _flavorNodes[f].Length ? null : new HashSet<int>(allowed);
        var demand = pod.GpuDemandMilli * count;
        var order = new List<(long Free, string Value, int[] Nodes)>(domains.Length);
        foreach (var (value, members) in domains)
        {
            var nodes = allowedSet is null ? members : members.Where(allowedSet.Contains).ToArray();
            long free = 0;
            foreach (var n in nodes)
            {
                free += _cluster.FreeGpuMilliOf(n);
            }

            if (nodes.Length > 0 && free >= demand)
            {
                order.Add((free, value, nodes));
            }
        }

        order.Sort((a, b) => a.Free != b.Free ? a.Free.CompareTo(b.Free) : string.CompareOrdinal(a.Value, b.Value));
        foreach (var (_, _, nodes) in order)
        {
            var checkpoint = _statement.Checkpoint();
            var scratch = _scratch.Count;
            var ok = true;
            for (var i = 0; i < count; i++)
            {
                var result = _whatIf ? _placer.PlaceUncounted(pod, nodes) : _placer.Place(pod, nodes);
                if (!result.Placed)
                {
                    ok = false;
                    break;
                }

                AfterReserve(result.NodeIndex, pod.GpuDemandMilli);
                _statement.Placed(pod, result.NodeIndex, result.GpuMask);
                _scratch.Add(new PodPlacement(set, pod, result.NodeIndex, result.GpuMask));
            }

            if (ok)
            {
                return true;
            }

            _statement.RollbackTo(checkpoint);
            _scratch.RemoveRange(scratch, _scratch.Count - scratch);
        }

        _ = w;
        return false;
    }

    /// <summary>
    /// Tries the pod set's preferred topology levels, narrowest first: true when its pods went inside one domain of
    /// one of them; false (nothing of the set placed) when it has none or none has room, and the caller goes on to
    /// the required level, or to no constraint.
    /// </summary>
    private bool PlaceInPreferredDomain(WorkloadState w, int f, int set, int count, Pod pod, int[] allowed)
    {
        foreach (var key in w.Workload.PodSets[set].PreferredTopology)
        {
            if (PlaceInOneDomain(w, f, set, count, pod, allowed, key))
            {
                return true;
            }
        }

        return false;
    }

    private (string Value, int[] Nodes)[] DomainsOf(int f, string key)
    {
        if (!_domains.TryGetValue((f, key), out var domains))
        {
            domains = _flavorNodes[f]
                .Where(n => _cluster.Nodes[n].Labels.ContainsKey(key))
                .GroupBy(n => _cluster.Nodes[n].Labels[key], StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Order().ToArray()))
                .ToArray();
            _domains[(f, key)] = domains;
        }

        return domains;
    }
}
