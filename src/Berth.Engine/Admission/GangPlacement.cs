using Berth.Engine.Admission.Locality;
using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Placement of a whole gang for the scheduler: cheap bounds first (GPU in total, whole GPUs per pod), then pod by
/// pod through the placement engine, each pod set with a topology key inside one domain of that label (one rack,
/// one NVLink domain; preferred levels narrowest first), all or nothing. A serving replica's pods without a topology
/// key are spread from the other replicas of their group (<see cref="ServingSpread"/>) rather than packed. Placements go to the statement and the
/// scheduler's scratch list; a failure rolls back and says why in a reason a person can act on.
/// </summary>
internal sealed class GangPlacement(AdmissionScheduler s)
{
    /// <summary>The reason a quiet trial gives (<see cref="TryQuietly"/>): never read.</summary>
    private static readonly PendingReason Unexplained = new(PendingReasonCode.NoNodeFits, "a trial placement failed");

    private readonly Dictionary<(int Flavor, string Key), (string Value, int[] Nodes)[]> _domains = [];
    private bool _quiet;

    /// <summary>Data locality: the preference for nodes that cache a workload's datasets, and its bounded wait.</summary>
    public DataLocality Locality { get; } = new(s);

    /// <summary>True during a what-if run (start estimates): placements are not counted in the placer's statistics.</summary>
    public bool WhatIf { get; set; }

    /// <summary>
    /// Places every pod of the gang in flavor <paramref name="f"/> (nodes allowed by any reservation), all
    /// or nothing. With <paramref name="keep"/> the placements stay in the statement and in
    /// the scheduler's scratch list; otherwise they are rolled back.
    /// </summary>
    public bool TryPlace(WorkloadState w, int f, int[] counts, TimeSpan now, bool keep, out PendingReason reason, HashSet<int>? usedNodes = null)
    {
        var placed = TryPlaceIn(w, f, counts, now, keep, out reason, usedNodes, out var waitUntil);
        if (!placed && waitUntil is { } until)
        {
            // Held for nodes that cache its data: say so, and look again when the wait ends.
            s.RetryBy(until);
            reason = reason with
            {
                Message = $"waits until {until.TotalSeconds:0}s for a node that caches {string.Join(", ", w.Workload.Datasets.Select(d => d.Name))}: {reason.Message}",
                Unblock = "a node that caches its datasets frees, or its localityWait ends",
            };
        }

        return placed;
    }

    /// <summary>
    /// The cheap bounds before any pod is placed: the GPU in total, then the fully free whole GPUs per pod set. True
    /// (with why) when the gang cannot fit by them.
    /// </summary>
    private bool ShortOfRoom(WorkloadState w, int f, int[] counts, int total, long demand, int[] nodes, bool reservedAway, out Model.Pod[] pods, out PendingReason reason)
    {
        pods = [];
        if (demand > s.FlavorFreeGpu[f])
        {
            if (_quiet)
            {
                reason = Unexplained;
                return true;
            }

            // Not even the GPUs in total: the gang cannot fit. Whether some of its pods could is told by the whole-GPU bound.
            var some = total > 1 && s.Room.WholeGpuPodsThatFit(s.PodsFor(w, f), counts, nodes) > 0 && !reservedAway;
            reason = new PendingReason(some ? PendingReasonCode.GangIncomplete : PendingReasonCode.NoNodeFits, $"flavor {s.Flavors[f].Name} has {Resources.Format(ResourceKind.Gpu, s.FlavorFreeGpu[f])} free; the gang needs {Resources.Format(ResourceKind.Gpu, demand)}{(some ? "; some of its pods would fit, but a gang is placed whole or not at all" : string.Empty)}")
            {
                Flavor = s.Flavors[f].Name,
                Resource = ResourceKind.Gpu,
                Requested = demand,
                Available = s.FlavorFreeGpu[f],
                Unblock = "running workloads finish or are preempted",
            };
            return true;
        }

        pods = s.PodsFor(w, f);
        if (_quiet)
        {
            // As the count below would say, often without reading every node.
            var shortOfRoom = !s.Room.AllCouldFit(pods, counts, nodes);
            reason = shortOfRoom ? Unexplained : PendingReason.Queued;
            return shortOfRoom;
        }

        var fitting = s.Room.WholeGpuPodsThatFit(pods, counts, nodes);
        if (fitting < total)
        {
            reason = _quiet ? Unexplained : reservedAway
                ? new PendingReason(PendingReasonCode.BlockedByReservation, $"nodes of flavor {s.Flavors[f].Name} are reserved for {s.CurrentReservation!.Holder.Id} from {s.CurrentReservation.Start.TotalSeconds:0}s, and it would not end before then") { Flavor = s.Flavors[f].Name, Unblock = "the reserved workload starts, or a shorter expected run time" }
                : fitting == 0
                    ? new PendingReason(PendingReasonCode.NoNodeFits, $"no node of flavor {s.Flavors[f].Name} has the whole free GPUs a pod of {pods[0].Name} needs") { Flavor = s.Flavors[f].Name, Unblock = "running workloads finish or are preempted" }
                    : new PendingReason(PendingReasonCode.GangIncomplete, $"at most {fitting} of {total} pods fit in flavor {s.Flavors[f].Name} by free whole GPUs; the gang is placed whole or not at all") { Flavor = s.Flavors[f].Name, Requested = total, Available = fitting, Unblock = "enough nodes free for every pod at once" };
            return true;
        }

        reason = PendingReason.Queued;
        return false;
    }

    /// <summary>
    /// As <see cref="TryPlace"/> for a trial whose reason nobody reads (preemption, consolidation and start-time
    /// what-ifs): the same placements and the same answer, without the words, nor the placer's count of why each
    /// node refused a pod (a pass over every node of the flavor for each pod that does not fit).
    /// </summary>
    public bool TryQuietly(WorkloadState w, int f, int[] counts, TimeSpan now, bool keep, HashSet<int>? usedNodes = null)
    {
        _quiet = true;
        s.Placer.Explains = false;
        try
        {
            var placed = TryPlaceIn(w, f, counts, now, keep, out _, usedNodes, out var waitUntil);
            if (!placed && waitUntil is { } until)
            {
                s.RetryBy(until); // as TryPlace: look again when the wait for cached data ends
            }

            return placed;
        }
        finally
        {
            _quiet = false;
            s.Placer.Explains = true;
        }
    }

    private bool TryPlaceIn(WorkloadState w, int f, int[] counts, TimeSpan now, bool keep, out PendingReason reason, HashSet<int>? usedNodes, out TimeSpan? waitUntil)
    {
        var checkpoint = s.Statement.Checkpoint();
        s.Scratch.Clear();
        var total = counts.Sum();
        var demand = w.RequestOf(counts).GpuMilli;
        var nodes = Locality.Restrict(w, s.AllowedNodes(w, f, now, out var reservedAway), now, out waitUntil);
        if (ShortOfRoom(w, f, counts, total, demand, nodes, reservedAway, out var pods, out reason))
        {
            return false;
        }

        for (var set = 0; set < counts.Length; set++)
        {
            if (PlaceInPreferredDomain(w, f, set, counts[set], pods[set], nodes))
            {
                continue;
            }

            if (w.Workload.PodSets[set].TopologyKey is { } key)
            {
                if (!PlaceInOneDomain(w, f, set, counts[set], pods[set], nodes, key))
                {
                    var placed = s.Scratch.Count;
                    s.Statement.RollbackTo(checkpoint);
                    s.Scratch.Clear();
                    reason = _quiet ? Unexplained : new PendingReason(placed == 0 ? PendingReasonCode.NoNodeFits : PendingReasonCode.GangIncomplete,
                        $"no {key} domain of flavor {s.Flavors[f].Name} has room for the {counts[set]} pods of {pods[set].Name} together")
                    {
                        Flavor = s.Flavors[f].Name,
                        Unblock = $"enough free capacity inside one {key} domain",
                    };
                    return false;
                }

                continue;
            }

            for (var i = 0; i < counts[set]; i++)
            {
                var result = w.Workload.IsServing ? s.Spread.Place(s.Placer, pods[set], nodes, WhatIf)
                    : Locality.Place(w, pods[set], nodes, WhatIf);
                if (!result.Placed)
                {
                    var placed = s.Scratch.Count;
                    s.Statement.RollbackTo(checkpoint);
                    s.Scratch.Clear();
                    var diagnosis = result.Diagnosis?.ToString() ?? "no node fits";
                    reason = _quiet ? Unexplained : reservedAway
                        ? new PendingReason(PendingReasonCode.BlockedByReservation, $"nodes of flavor {s.Flavors[f].Name} are reserved for {s.CurrentReservation!.Holder.Id} from {s.CurrentReservation.Start.TotalSeconds:0}s, and it would not end before then") { Flavor = s.Flavors[f].Name, Unblock = "the reserved workload starts, or a shorter expected run time" }
                        : placed == 0
                            ? new PendingReason(PendingReasonCode.NoNodeFits, $"no node of flavor {s.Flavors[f].Name} fits a pod of {pods[set].Name}: {diagnosis}") { Flavor = s.Flavors[f].Name, Unblock = "running workloads finish or are preempted" }
                            : new PendingReason(PendingReasonCode.GangIncomplete, $"{placed} of {total} pods fit in flavor {s.Flavors[f].Name}; the gang is placed whole or not at all ({diagnosis})") { Flavor = s.Flavors[f].Name, Requested = total, Available = placed, Unblock = "enough nodes free for every pod at once" };
                    return false;
                }

                s.AfterReserve(pods[set], result.NodeIndex);
                s.Statement.Placed(pods[set], result.NodeIndex, result.GpuMask);
                s.Scratch.Add(new PodPlacement(set, pods[set], result.NodeIndex, result.GpuMask));
                usedNodes?.Add(result.NodeIndex);
            }
        }

        reason = PendingReason.Queued;
        if (!keep)
        {
            s.Statement.RollbackTo(checkpoint);
            s.Scratch.Clear();
        }

        return true;
    }

    /// <summary>
    /// Places <paramref name="count"/> pods of set <paramref name="set"/> inside one domain of <paramref name="key"/>
    /// among <paramref name="allowed"/>, trying domains from the one with the least free GPU that could hold
    /// them (so that big domains stay whole for big sets), then by domain name; with <paramref name="within"/> (the
    /// required key) only domains that lie inside one domain of it. Placements go to the
    /// statement and <see cref="_scratch"/>; on failure nothing of this set remains.
    /// </summary>
    private bool PlaceInOneDomain(WorkloadState w, int f, int set, int count, Pod pod, int[] allowed, string key, string? within = null)
    {
        var domains = within is null ? DomainsOf(f, key) : DomainsWithin(f, key, within);
        var allowedSet = allowed.Length == s.NodesOf(f).Length ? null : new HashSet<int>(allowed);
        var demand = pod.GpuDemandMilli * count;
        var order = new List<(long Free, string Value, int[] Nodes)>(domains.Length);
        foreach (var (value, members) in domains)
        {
            var nodes = allowedSet is null ? members : members.Where(allowedSet.Contains).ToArray();
            long free = 0;
            foreach (var n in nodes)
            {
                free += s.Cluster.FreeGpuMilliOf(n);
            }

            if (nodes.Length > 0 && free >= demand)
            {
                order.Add((free, value, nodes));
            }
        }

        order.Sort((a, b) => a.Free != b.Free ? a.Free.CompareTo(b.Free) : string.CompareOrdinal(a.Value, b.Value));
        foreach (var (_, _, nodes) in order)
        {
            var checkpoint = s.Statement.Checkpoint();
            var scratch = s.Scratch.Count;
            var ok = true;
            for (var i = 0; i < count; i++)
            {
                var result = WhatIf ? s.Placer.PlaceUncounted(pod, nodes) : s.Placer.Place(pod, nodes);
                if (!result.Placed)
                {
                    ok = false;
                    break;
                }

                s.AfterReserve(pod, result.NodeIndex);
                s.Statement.Placed(pod, result.NodeIndex, result.GpuMask);
                s.Scratch.Add(new PodPlacement(set, pod, result.NodeIndex, result.GpuMask));
            }

            if (ok)
            {
                return true;
            }

            s.Statement.RollbackTo(checkpoint);
            s.Scratch.RemoveRange(scratch, s.Scratch.Count - scratch);
        }

        _ = w;
        return false;
    }

    /// <summary>
    /// Tries the pod set's preferred topology levels, narrowest first (climbing the flavor's levels from a single
    /// preferred one, see <see cref="TopologyChain"/>), each only in domains inside one domain of the required key: true when its pods went inside one domain of
    /// one of them; false (nothing of the set placed) when it has none or none has room, and the caller goes on to
    /// the required level, or to no constraint.
    /// </summary>
    private bool PlaceInPreferredDomain(WorkloadState w, int f, int set, int count, Pod pod, int[] allowed)
    {
        var podSet = w.Workload.PodSets[set];
        foreach (var key in TopologyChain.Preferred(podSet, s.Flavors[f]))
        {
            if (PlaceInOneDomain(w, f, set, count, pod, allowed, key, podSet.TopologyKey))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The domains of label <paramref name="key"/> among flavor <paramref name="f"/>'s nodes, by value; worked out once.
    /// For <see cref="TopologyKeys.Hostname"/> a node without the label is a domain of its own, under its name.
    /// </summary>
    public (string Value, int[] Nodes)[] DomainsOf(int f, string key)
    {
        if (!_domains.TryGetValue((f, key), out var domains))
        {
            domains = s.NodesOf(f)
                .Where(n => ValueOf(n, key) is not null)
                .GroupBy(n => ValueOf(n, key)!, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Order().ToArray()))
                .ToArray();
            _domains[(f, key)] = domains;
        }

        return domains;
    }

    /// <summary>
    /// The domains of <paramref name="key"/> that lie inside one domain of <paramref name="required"/>: those of
    /// <see cref="DomainsOf"/> when the levels nest (every domain of the key within one required domain), else the
    /// pieces of each domain cut by the required key, so that a preferred level never takes a set beyond its
    /// required one. Worked out once.
    /// </summary>
    private (string Value, int[] Nodes)[] DomainsWithin(int f, string key, string required)
    {
        var cacheKey = (f, key + "\n" + required);
        if (_domains.TryGetValue(cacheKey, out var domains))
        {
            return domains;
        }

        domains = DomainsOf(f, key);
        var nested = domains.All(d => ValueOf(d.Nodes[0], required) is { } outer
            && d.Nodes.All(n => string.Equals(ValueOf(n, required), outer, StringComparison.Ordinal)));
        if (!nested)
        {
            domains = s.NodesOf(f)
                .Where(n => ValueOf(n, key) is not null && ValueOf(n, required) is not null)
                .GroupBy(n => ValueOf(n, required) + "/" + ValueOf(n, key), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Order().ToArray()))
                .ToArray();
        }

        _domains[cacheKey] = domains;
        return domains;
    }

    /// <summary>Node <paramref name="n"/>'s value of label <paramref name="key"/>; its name for an unlabelled hostname level.</summary>
    private string? ValueOf(int n, string key)
    {
        var node = s.Cluster.Nodes[n];
        return node.Labels.TryGetValue(key, out var value) ? value
            : string.Equals(key, TopologyKeys.Hostname, StringComparison.Ordinal) ? node.Name
            : null;
    }
}
