namespace Berth.Engine.Admission;

// Consolidation (KAI Scheduler): when a gang's GPUs are free in total but scattered, move running,
// relocatable workloads so that the free pieces join, and only if every moved workload has a new place.
public sealed partial class AdmissionScheduler
{
    /// <summary>The most running workloads one consolidation may move.</summary>
    public const int MaxMovedPerConsolidation = 8;

    private readonly List<WorkloadState> _moverOrder = [];
    private readonly bool[] _piecesKnown = new bool[2 * 33];
    private readonly long[] _pieces = new long[2 * 33];

    /// <summary>
    /// Tries to admit <paramref name="w"/> in flavor <paramref name="f"/> (its quota already fits, and it has waited
    /// past the starvation threshold) by moving others:
    /// 1. only when the flavor's free GPU covers the gang (otherwise this is a shortage, not fragmentation);
    /// 2. movers: admitted workloads of the flavor that are preemptible and past their queue's minimum
    ///    runtime, least work lost since their last checkpoint first, then the smallest;
    /// 3. take movers one at a time off their nodes until the gang can be placed, then place every mover
    ///    again (largest first) on what is left; give up if any cannot be placed;
    /// 4. commit: each mover is restarted on its new nodes (evicted with reason Consolidated and admitted
    ///    again at once, keeping its quota), then the gang is admitted.
    /// </summary>
    internal bool TryConsolidate(WorkloadState w, int f, int[] counts, TimeSpan now)
    {
        var demand = RequestOf(w, counts).GpuMilli;
        if (demand > _flavorFreeGpu[f])
        {
            return false;
        }

        var movers = Movers(f, now);
        if (movers.Length == 0)
        {
            return false;
        }

        // Even with every mover off its nodes the gang's pods would not find the fully free GPUs they need where
        // it may go: each placement trial below would stop at that bound, so none is made.
        var total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        var pods = PodsFor(w, f);
        if (_room.WholeGpuPodsThatFitWithout(pods, counts, AllowedNodes(w, f, now, out _), movers) < total)
        {
            return false;
        }

        var checkpoint = _statement.Checkpoint();
        var removed = new List<WorkloadState>();
        foreach (var mover in movers)
        {
            if (removed.Count == MaxMovedPerConsolidation)
            {
                break;
            }

            var sameQueue = 0;
            foreach (var r in removed)
            {
                sameQueue += r.QueueIndex == mover.QueueIndex ? 1 : 0;
            }

            if (sameQueue >= DisruptionsLeft(mover.QueueIndex, now))
            {
                continue; // its queue's disruption budget is spent
            }

            foreach (var p in mover.Placements)
            {
                _statement.Release(p.Pod, p.Node, p.GpuMask);
            }

            removed.Add(mover);

            // The trial's own bound on the nodes it may use (those fewer than the flavor's when others' reservation
            // keeps it off some): past it, a trial is made; short of it, the trial would stop there.
            if (_room.WholeGpuPodsThatFit(pods, counts, AllowedNodes(w, f, now, out _)) < total)
            {
                continue;
            }

            if (!_placer.DrawsRandomly && !MoversCouldReturn(w, f, counts, removed, now))
            {
                continue; // the gang could be placed, but then not every mover again: the trial would be undone
            }

            var attempt = _statement.Checkpoint();
            if (!TryPlaceGang(w, f, counts, now, keep: true, out _))
            {
                continue;
            }

            var gang = _scratch.ToArray();
            var moved = new List<(WorkloadState Mover, PodPlacement[] Pods)>();
            foreach (var m in removed.OrderByDescending(m => m.Usage.GpuMilli).ThenBy(m => m.Sequence))
            {
                if (!TryPlaceGang(m, m.Flavor, m.Counts, now, keep: true, out _))
                {
                    moved = null;
                    break;
                }

                moved.Add((m, _scratch.ToArray()));
            }

            if (moved is null)
            {
                _statement.RollbackTo(attempt);
                continue;
            }

            CommitConsolidation(w, f, counts, now, gang, moved);
            return true;
        }

        _statement.RollbackTo(checkpoint);
        return false;
    }

    /// <summary>Commits a consolidation: restarts the movers where they now are, then admits the gang.</summary>
    private void CommitConsolidation(WorkloadState w, int f, int[] counts, TimeSpan now, PodPlacement[] gang, List<(WorkloadState Mover, PodPlacement[] Pods)> moved)
    {
        _statement.Commit();
        foreach (var (m, placements) in moved.OrderBy(x => x.Mover.Sequence))
        {
            RecordDisruption(m.QueueIndex, now);
            Emit(new AdmissionEvent(now, AdmissionEventKind.Evicted, m.Id, _queues[m.QueueIndex].Name)
            {
                Reason = "Consolidated",
                Pods = m.Placements.Count,
                GpuMilli = m.Usage.GpuMilli,
                By = w.Id,
                Detail = $"moved to make room for {w.Id}",
            });
            m.Evictions++;
            m.Placements.Clear();
            m.Placements.AddRange(placements);
            m.AdmittedAt = now;
            _admittedVersion++;
            Emit(new AdmissionEvent(now, AdmissionEventKind.Admitted, m.Id, _queues[m.QueueIndex].Name)
            {
                Flavor = _flavors[m.Flavor].Name,
                Pods = m.Placements.Count,
                GpuMilli = m.Usage.GpuMilli,
                Detail = string.Join(' ', m.Placements.Select(p => _cluster.Nodes[p.Node].Name).Distinct(StringComparer.Ordinal)),
            });
        }

        _scratch.Clear();
        _scratch.AddRange(gang);
        Admit(w, f, counts, now);
        _statement.Commit();
    }

    /// <summary>
    /// False when, once the gang is placed, some mover in <paramref name="removed"/> (taken off its nodes) certainly
    /// could not be placed again: its trial starts with a bound, per pod set of whole-GPU pods of k GPUs each, on the
    /// k-GPU pieces of fully free GPUs (node by node) where it may go, and placing frees nothing. So the pieces now,
    /// less what the parties placed before it (the gang, then the larger movers, in the trial's order) certainly take
    /// from them, must cover the set. A pod of g whole GPUs goes on a node with at least g fully free, and there takes
    /// at least floor(g / k) pieces; it certainly takes them where the mover may go when the mover may go everywhere,
    /// when the pod is kept off the same nodes (both kept off a reservation's), or when no node it could otherwise
    /// use has g fully free GPUs.
    /// </summary>
    private bool MoversCouldReturn(WorkloadState w, int f, int[] counts, List<WorkloadState> removed, TimeSpan now)
    {
        var order = _moverOrder;
        order.Clear();
        order.AddRange(removed);
        order.Sort(LargestFirst);
        var fullyFree = _cluster.FullyFreeGpus;
        var all = _flavorNodes[f];

        // The most fully free GPUs on a node only those not kept off the reservation may use.
        var reservedMost = 0;
        if (_reservation is { } r && r.Flavor == f)
        {
            foreach (var n in r.Nodes)
            {
                reservedMost = Math.Max(reservedMost, fullyFree[n]);
            }
        }

        var gangKeptOff = !ReferenceEquals(AllowedNodes(w, f, now, out _), all);
        _piecesKnown.AsSpan().Clear();
        for (var j = 0; j < order.Count; j++)
        {
            var m = order[j];
            var pods = PodsFor(m, f);
            var nodes = AllowedNodes(m, f, now, out _);
            var keptOff = !ReferenceEquals(nodes, all);
            for (var s = 0; s < pods.Length; s++)
            {
                var k = pods[s].GpuCount;
                if (k == 0 || pods[s].GpuMilli < Model.Limits.GpuMilliPerGpu || m.Counts[s] == 0)
                {
                    continue;
                }

                var pieces = PiecesOn(nodes, k, keptOff);
                pieces -= PiecesTaken(PodsFor(w, f), counts, k, !keptOff || gangKeptOff, reservedMost);
                for (var i = 0; i < j && pieces >= m.Counts[s]; i++)
                {
                    var earlier = order[i];
                    pieces -= PiecesTaken(PodsFor(earlier, f), earlier.Counts, k, !keptOff || !ReferenceEquals(AllowedNodes(earlier, f, now, out _), all), reservedMost);
                }

                if (pieces < m.Counts[s])
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>k-GPU pieces of fully free GPUs on <paramref name="nodes"/> (the flavor's, or the unreserved ones), counted once per check.</summary>
    private long PiecesOn(int[] nodes, int k, bool keptOff)
    {
        var slot = (2 * k) + (keptOff ? 1 : 0);
        if (slot < _piecesKnown.Length && _piecesKnown[slot])
        {
            return _pieces[slot];
        }

        var fullyFree = _cluster.FullyFreeGpus;
        long pieces = 0;
        foreach (var n in nodes)
        {
            pieces += fullyFree[n] / k;
        }

        if (slot < _piecesKnown.Length)
        {
            _piecesKnown[slot] = true;
            _pieces[slot] = pieces;
        }

        return pieces;
    }

    /// <summary>The order the trial places movers in: largest first, then submission order.</summary>
    private static int LargestFirst(WorkloadState a, WorkloadState b) =>
        a.Usage.GpuMilli != b.Usage.GpuMilli ? b.Usage.GpuMilli.CompareTo(a.Usage.GpuMilli) : a.Sequence.CompareTo(b.Sequence);

    /// <summary>
    /// The k-GPU pieces of fully free GPUs that placing these pods certainly uses up where the mover may go: floor(g / k)
    /// per pod of g whole GPUs, for pods that certainly land there (<paramref name="sameNodes"/>, or no node elsewhere
    /// has g fully free GPUs: more than <paramref name="elsewhereMost"/>).
    /// </summary>
    private static long PiecesTaken(Model.Pod[] pods, int[] counts, int k, bool sameNodes, int elsewhereMost)
    {
        long pieces = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            var g = pods[s].GpuCount;
            if (g >= k && pods[s].GpuMilli >= Model.Limits.GpuMilliPerGpu && (sameNodes || g > elsewhereMost))
            {
                pieces += (long)counts[s] * (g / k);
            }
        }

        return pieces;
    }
}
