using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

// Starvation and backfill: a head that has waited past the threshold for nodes gets a reservation;
// others may use the reserved nodes only when their expected run time ends before it starts.
public sealed partial class AdmissionScheduler
{
    private readonly int[][] _unreserved;
    private Reservation? _reservation;
    private long _reservationGeneration = -1;

    /// <summary>The current reservation, if a head is starving.</summary>
    public Reservation? CurrentReservation { get => _reservation; internal set => _reservation = value; }

    /// <summary>
    /// The expected start of a pending workload: its reservation's start when it holds one, else what
    /// <see cref="EstimateStarts"/> computes (null when nothing can be promised). Changes nothing.
    /// </summary>
    public TimeSpan? EstimateStart(string id)
    {
        var w = _workloads.GetValueOrDefault(id);
        if (w is null || w.Phase != WorkloadPhase.Pending)
        {
            return null;
        }

        if (ReferenceEquals(_reservation?.Holder, w))
        {
            return _reservation!.Start;
        }

        return EstimateStarts().TryGetValue(id, out var start) ? start : null;
    }

    internal void UpdateReservation(TimeSpan now)
    {
        if (_reservation is { } current)
        {
            if (current.Holder.Phase != WorkloadPhase.Pending)
            {
                _reservation = null;
            }
            else if (_reservationGeneration == _generation)
            {
                return; // nothing freed since it was computed
            }
        }

        // The starving head: among queue heads waiting for nodes past the threshold, highest priority, then longest waiting.
        WorkloadState? starving = null;
        for (var q = 0; q < _queues.Length; q++)
        {
            if (_queues[q].Stop != StopPolicy.None)
            {
                continue;
            }

            foreach (var w in _pending[q])
            {
                if (w.BackoffUntil <= now && now - w.PendingSince >= Options.StarvationThreshold
                    && w.Reason.Code is PendingReasonCode.NoNodeFits or PendingReasonCode.GangIncomplete or PendingReasonCode.BlockedByReservation or PendingReasonCode.WaitingForReservation
                    && (starving is null || w.Workload.Priority > starving.Workload.Priority
                        || (w.Workload.Priority == starving.Workload.Priority && (w.PendingSince < starving.PendingSince || (w.PendingSince == starving.PendingSince && w.Sequence < starving.Sequence)))))
                {
                    starving = w;
                }

                break; // heads only
            }
        }

        _reservationGeneration = _generation;
        if (starving is null)
        {
            _reservation = null;
            return;
        }

        _reservation = Shadow(starving, now);
        if (_reservation is { } r)
        {
            var reserved = new HashSet<int>(r.Nodes);
            for (var f = 0; f < _flavors.Length; f++)
            {
                _unreserved[f] = _flavorNodes[f].Where(n => !reserved.Contains(n)).ToArray();
            }

            starving.ExpectedStart = r.Start;
            SetReason(starving, new PendingReason(PendingReasonCode.WaitingForReservation, $"nodes of flavor {_flavors[r.Flavor].Name} are reserved for it; expected to start at {r.Start.TotalSeconds:0}s")
            {
                Flavor = _flavors[r.Flavor].Name,
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
        var request = RequestOf(w, full);
        foreach (var f in _queueFlavors[w.QueueIndex])
        {
            if (!CouldEverFit(w, f) || QuotaCheck(w.QueueIndex, f, request, w.Workload.Preemptible) is not null)
            {
                continue;
            }

            var running = new List<(TimeSpan End, WorkloadState W)>();
            var unknownEnd = false;
            foreach (var r in _admittedByFlavor[f])
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
            var checkpoint = _statement.Checkpoint();
            var pods = PodsFor(w, f);
            Reservation? found = null;
            for (var i = 0; i <= running.Count && found is null; i++)
            {
                var at = i == 0 ? now : running[i - 1].End;
                if (i > 0)
                {
                    foreach (var p in running[i - 1].W.Placements)
                    {
                        _statement.Release(p.Pod, p.Node, p.GpuMask);
                    }

                    // Several may end at the same time: release them all before trying.
                    if (i < running.Count && running[i].End == at)
                    {
                        continue;
                    }
                }

                if (request.GpuMilli > _flavorFreeGpu[f] || _room.WholeGpuPodsThatFit(pods, full, _flavorNodes[f]) < full.Sum())
                {
                    continue;
                }

                var inner = _statement.Checkpoint();
                var nodes = new List<int>();
                var ok = true;
                for (var s = 0; s < full.Length && ok; s++)
                {
                    for (var k = 0; k < full[s] && ok; k++)
                    {
                        var result = _placer.Place(pods[s], _flavorNodes[f]);
                        if (!result.Placed)
                        {
                            ok = false;
                            break;
                        }

                        AfterReserve(result.NodeIndex, pods[s].GpuDemandMilli);
                        _statement.Placed(pods[s], result.NodeIndex, result.GpuMask);
                        nodes.Add(result.NodeIndex);
                    }
                }

                _statement.RollbackTo(inner);
                if (ok)
                {
                    found = new Reservation(w, f, at, nodes.Distinct().Order().ToArray());
                }
            }

            _statement.RollbackTo(checkpoint);
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
        if (_reservation is not { } r || r.Flavor != f || ReferenceEquals(r.Holder, w) || _unreserved[f] is null)
        {
            return _flavorNodes[f];
        }

        if (w.Workload.ExpectedRunTime is { } run && now + run <= r.Start)
        {
            return _flavorNodes[f];
        }

        reservedAway = true;
        return _unreserved[f];
    }
}
