using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Consolidate;

/// <summary>
/// The consolidate action's search (KAI Scheduler's consolidation), one per scheduler: when a gang's GPUs are free
/// in total but scattered, move running, relocatable workloads so that the free pieces join, and only if every moved
/// workload has a new place. It reads the scheduler's state and changes it only through the statement and the
/// scheduler's admit step.
/// </summary>
internal sealed class ConsolidationSearch(AdmissionScheduler s)
{
    private readonly List<WorkloadState> _moverOrder = [];
    private readonly bool[] _piecesKnown = new bool[2 * 33];
    private readonly long[] _pieces = new long[2 * 33];
    private EvictionCandidates?[]? _moverLists;

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
    public bool TryConsolidate(WorkloadState w, int f, int[] counts, TimeSpan now)
    {
        var demand = w.RequestOf(counts).GpuMilli;
        if (demand > s.FlavorFreeGpu[f])
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

        var pods = s.PodsFor(w, f);
        if (s.Room.WholeGpuPodsThatFitWithout(pods, counts, s.AllowedNodes(w, f, now, out _), movers) < total)
        {
            return false;
        }

        var checkpoint = s.Statement.Checkpoint();
        var removed = new List<WorkloadState>();
        foreach (var mover in movers)
        {
            if (removed.Count == AdmissionScheduler.MaxMovedPerConsolidation)
            {
                break;
            }

            var sameQueue = 0;
            foreach (var r in removed)
            {
                sameQueue += r.QueueIndex == mover.QueueIndex ? 1 : 0;
            }

            if (sameQueue >= s.DisruptionsLeft(mover.QueueIndex, now))
            {
                continue; // its queue's disruption budget is spent
            }

            foreach (var p in mover.Placements)
            {
                s.Statement.Release(p.Pod, p.Node, p.GpuMask);
            }

            removed.Add(mover);

            // The trial's own bound on the nodes it may use (those fewer than the flavor's when others' reservation
            // keeps it off some): past it, a trial is made; short of it, the trial would stop there.
            if (s.Room.WholeGpuPodsThatFit(pods, counts, s.AllowedNodes(w, f, now, out _)) < total)
            {
                continue;
            }

            if (!s.Placer.DrawsRandomly && !MoversCouldReturn(w, f, counts, removed, now))
            {
                continue; // the gang could be placed, but then not every mover again: the trial would be undone
            }

            var attempt = s.Statement.Checkpoint();
            if (!s.Gangs.TryQuietly(w, f, counts, now, keep: true))
            {
                continue;
            }

            var gang = s.Scratch.ToArray();
            var moved = new List<(WorkloadState Mover, PodPlacement[] Pods)>();
            foreach (var m in removed.OrderByDescending(m => m.Usage.GpuMilli).ThenBy(m => m.Sequence))
            {
                if (!s.Gangs.TryQuietly(m, m.Flavor, m.Counts, now, keep: true))
                {
                    moved = null;
                    break;
                }

                moved.Add((m, s.Scratch.ToArray()));
            }

            if (moved is null)
            {
                s.Statement.RollbackTo(attempt);
                continue;
            }

            CommitConsolidation(w, f, counts, now, gang, moved);
            return true;
        }

        s.Statement.RollbackTo(checkpoint);
        return false;
    }

    /// <summary>
    /// Step 2 of <see cref="TryConsolidate"/>: the admitted workloads of flavor <paramref name="f"/> that are
    /// preemptible, past their queue's minimum runtime and within its disruption budget; the first
    /// <see cref="AdmissionScheduler.MaxMovedPerConsolidation"/> times 4 of them by least work lost, then smallest, then
    /// submission order. Kept per flavor while the scheduler's admitted version, generation and time stay the same,
    /// as the preempt action's victim lists are.
    /// </summary>
    private ReadOnlySpan<WorkloadState> Movers(int f, TimeSpan now)
    {
        _moverLists ??= new EvictionCandidates?[s.Flavors.Count];
        var list = _moverLists[f] ??= new EvictionCandidates(0);
        if (!list.IsCurrent(s.AdmittedVersion, s.Generation, now))
        {
            list.Reset(s.AdmittedVersion, s.Generation, now);
            foreach (var m in s.Store.AdmittedIn(f))
            {
                if (m.Workload.Preemptible && now - m.AdmittedAt >= s.QueueArray[m.QueueIndex].MinRuntime && s.DisruptionsLeft(m.QueueIndex, now) > 0)
                {
                    list.Add(m, m.LostSeconds(now) * m.Usage.GpuMilli);
                }
            }

            list.Sort(MoverOrder.Instance);
            list.Truncate(AdmissionScheduler.MaxMovedPerConsolidation * 4);
        }

        return list.Workloads;
    }

    /// <summary>Commits a consolidation: restarts the movers where they now are, then admits the gang.</summary>
    private void CommitConsolidation(WorkloadState w, int f, int[] counts, TimeSpan now, PodPlacement[] gang, List<(WorkloadState Mover, PodPlacement[] Pods)> moved)
    {
        s.Statement.Commit();
        foreach (var (m, placements) in moved.OrderBy(x => x.Mover.Sequence))
        {
            s.RecordDisruption(m.QueueIndex, now);
            s.Emit(new AdmissionEvent(now, AdmissionEventKind.Evicted, m.Id, s.QueueArray[m.QueueIndex].Name)
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
            s.Store.Victims.Stopped(m); // its lane is sorted by start time
            m.AdmittedAt = now;
            s.Store.Victims.Started(m);
            s.AdmittedChanged();
            s.Emit(new AdmissionEvent(now, AdmissionEventKind.Admitted, m.Id, s.QueueArray[m.QueueIndex].Name)
            {
                Flavor = s.Flavors[m.Flavor].Name,
                Pods = m.Placements.Count,
                GpuMilli = m.Usage.GpuMilli,
                Detail = string.Join(' ', m.Placements.Select(p => s.Cluster.Nodes[p.Node].Name).Distinct(StringComparer.Ordinal)),
            });
        }

        s.Scratch.Clear();
        s.Scratch.AddRange(gang);
        s.Admit(w, f, counts, now);
        s.Statement.Commit();
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
        var fullyFree = s.Cluster.FullyFreeGpus;
        var all = s.NodesOf(f);

        // The most fully free GPUs on a node only those not kept off the reservation may use.
        var reservedMost = 0;
        if (s.CurrentReservation is { } r && r.Flavor == f)
        {
            foreach (var n in r.Nodes)
            {
                reservedMost = Math.Max(reservedMost, fullyFree[n]);
            }
        }

        var gangKeptOff = !ReferenceEquals(s.AllowedNodes(w, f, now, out _), all);
        _piecesKnown.AsSpan().Clear();
        for (var j = 0; j < order.Count; j++)
        {
            var m = order[j];
            var pods = s.PodsFor(m, f);
            var nodes = s.AllowedNodes(m, f, now, out _);
            var keptOff = !ReferenceEquals(nodes, all);
            for (var set = 0; set < pods.Length; set++)
            {
                var k = pods[set].GpuCount;
                if (k == 0 || pods[set].GpuMilli < Model.Limits.GpuMilliPerGpu || m.Counts[set] == 0)
                {
                    continue;
                }

                var pieces = PiecesOn(nodes, k, keptOff);
                pieces -= PiecesTaken(s.PodsFor(w, f), counts, k, !keptOff || gangKeptOff, reservedMost);
                for (var i = 0; i < j && pieces >= m.Counts[set]; i++)
                {
                    var earlier = order[i];
                    pieces -= PiecesTaken(s.PodsFor(earlier, f), earlier.Counts, k, !keptOff || !ReferenceEquals(s.AllowedNodes(earlier, f, now, out _), all), reservedMost);
                }

                if (pieces < m.Counts[set])
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

        var fullyFree = s.Cluster.FullyFreeGpus;
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
