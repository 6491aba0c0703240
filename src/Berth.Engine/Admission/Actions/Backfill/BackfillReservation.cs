using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Backfill;

/// <summary>
/// The backfill action's state, one per scheduler: starvation and reservations. A head that has waited past the
/// threshold for nodes gets the nodes it needs reserved from its estimated start; others may use the reserved
/// nodes only when their expected run time ends before it starts (<see cref="AllowedNodes"/>). Reads the
/// scheduler's state; its trials go through the statement and are rolled back.
/// </summary>
internal sealed class BackfillReservation(AdmissionScheduler s)
{
    private readonly int[][] _unreserved = new int[s.Flavors.Count][];
    private long _reservationGeneration = -1;

    /// <summary>The reservation of the starving head, if any; null while none is held.</summary>
    public Reservation? Current { get; set; }

    /// <summary>
    /// Finds the starving head (among queue heads waiting for nodes past the threshold: highest priority, then
    /// longest waiting) and reserves the nodes it needs from its estimated start; kept while nothing freed.
    /// </summary>
    public void Update(TimeSpan now)
    {
        if (Current is { } current)
        {
            if (current.Holder.Phase != WorkloadPhase.Pending)
            {
                Current = null;
            }
            else if (_reservationGeneration == s.Generation)
            {
                return; // nothing freed since it was computed
            }
        }

        // The starving head: among queue heads waiting for nodes past the threshold, highest priority, then longest waiting.
        WorkloadState? starving = null;
        for (var q = 0; q < s.QueueArray.Length; q++)
        {
            if (s.QueueArray[q].Stop != StopPolicy.None)
            {
                continue;
            }

            foreach (var w in s.PendingIn(q))
            {
                if (w.BackoffUntil <= now && now - w.PendingSince >= s.Options.StarvationThreshold
                    && w.Reason.Code is PendingReasonCode.NoNodeFits or PendingReasonCode.GangIncomplete or PendingReasonCode.BlockedByReservation or PendingReasonCode.WaitingForReservation
                    && (starving is null || w.Workload.Priority > starving.Workload.Priority
                        || (w.Workload.Priority == starving.Workload.Priority && (w.PendingSince < starving.PendingSince || (w.PendingSince == starving.PendingSince && w.Sequence < starving.Sequence)))))
                {
                    starving = w;
                }

                break; // heads only
            }
        }

        _reservationGeneration = s.Generation;
        if (starving is null)
        {
            Current = null;
            return;
        }

        Current = Shadow(starving, now);
        if (Current is { } r)
        {
            var reserved = new HashSet<int>(r.Nodes);
            for (var f = 0; f < s.Flavors.Count; f++)
            {
                _unreserved[f] = s.NodesOf(f).Where(n => !reserved.Contains(n)).ToArray();
            }

            starving.ExpectedStart = r.Start;
            s.SetReason(starving, new PendingReason(PendingReasonCode.WaitingForReservation, $"nodes of flavor {s.Flavors[r.Flavor].Name} are reserved for it; expected to start at {r.Start.TotalSeconds:0}s")
            {
                Flavor = s.Flavors[r.Flavor].Name,
                Unblock = "running workloads on the reserved nodes end",
            });
        }
    }

    /// <summary>
    /// Where and when <paramref name="w"/> could start: releases running workloads of each of its flavors
    /// in order of expected end until its gang fits. Rolls everything back.
    /// </summary>
    private Reservation? Shadow(WorkloadState w, TimeSpan now)
    {
        var full = w.Workload.PodSets.Select(s => s.Count).ToArray();
        var request = w.RequestOf(full);
        foreach (var f in s.FlavorsOf(w.QueueIndex))
        {
            if (!s.CouldEverFit(w, f) || !s.QuotaFits(w.QueueIndex, f, request, w.Workload.Preemptible))
            {
                continue;
            }

            var running = new List<(TimeSpan End, WorkloadState W)>();
            var unknownEnd = false;
            foreach (var r in s.Store.AdmittedIn(f))
            {
                if ((r.Workload.ExpectedRunTime ?? r.Workload.MaxRunTime) is { } run)
                {
                    running.Add((r.AdmittedAt + run, r));
                }
                else
                {
                    unknownEnd = true;
                }
            }

            running.Sort((a, b) => a.End != b.End ? a.End.CompareTo(b.End) : a.W.Sequence.CompareTo(b.W.Sequence));
            var checkpoint = s.Statement.Checkpoint();
            var pods = s.PodsFor(w, f);
            Reservation? found = null;
            for (var i = 0; i <= running.Count && found is null; i++)
            {
                var at = i == 0 ? now : running[i - 1].End;
                if (i > 0)
                {
                    foreach (var p in running[i - 1].W.Placements)
                    {
                        s.Statement.Release(p.Pod, p.Node, p.GpuMask);
                    }

                    // Several may end at the same time: release them all before trying.
                    if (i < running.Count && running[i].End == at)
                    {
                        continue;
                    }
                }

                if (request.GpuMilli > s.FlavorFreeGpu[f] || s.Room.WholeGpuPodsThatFit(pods, full, s.NodesOf(f)) < full.Sum())
                {
                    continue;
                }

                var inner = s.Statement.Checkpoint();
                var nodes = new List<int>();
                var ok = true;
                for (var set = 0; set < full.Length && ok; set++)
                {
                    for (var k = 0; k < full[set] && ok; k++)
                    {
                        var result = s.Placer.Place(pods[set], s.NodesOf(f));
                        if (!result.Placed)
                        {
                            ok = false;
                            break;
                        }

                        s.AfterReserve(pods[set], result.NodeIndex);
                        s.Statement.Placed(pods[set], result.NodeIndex, result.GpuMask);
                        nodes.Add(result.NodeIndex);
                    }
                }

                s.Statement.RollbackTo(inner);
                if (ok)
                {
                    found = new Reservation(w, f, at, nodes.Distinct().Order().ToArray());
                }
            }

            s.Statement.RollbackTo(checkpoint);
            if (found is not null)
            {
                return found;
            }

            _ = unknownEnd; // without expected ends of every workload the estimate may be missing; nothing to add
        }

        return null;
    }

    /// <summary>
    /// The nodes of flavor <paramref name="f"/> that <paramref name="w"/> may use now: all of them, unless
    /// another workload holds a reservation there and <paramref name="w"/> would not end before it starts.
    /// </summary>
    internal int[] AllowedNodes(WorkloadState w, int f, TimeSpan now, out bool reservedAway)
    {
        reservedAway = false;
        if (Current is not { } r || r.Flavor != f || ReferenceEquals(r.Holder, w) || _unreserved[f] is null)
        {
            return s.NodesOf(f);
        }

        if (w.Workload.ExpectedRunTime is { } run && now + run <= r.Start)
        {
            return s.NodesOf(f);
        }

        reservedAway = true;
        return _unreserved[f];
    }
}
