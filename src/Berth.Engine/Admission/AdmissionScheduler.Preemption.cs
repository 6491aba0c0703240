using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

// Preemption within a queue, reclaim of borrowed capacity, and fair-share preemption.
public sealed partial class AdmissionScheduler
{
    /// <summary>
    /// Tries to admit <paramref name="w"/> in flavor <paramref name="f"/> by evicting others:
    /// 1. candidates: admitted workloads of the flavor that are preemptible, past their queue's minimum
    ///    runtime, and allowed by one rule: same queue (lower priority, or newer equal priority when the
    ///    policy says so); reclaim (the victim's queue borrows and the preemptor stays within its nominal
    ///    quota); fair share (the preemptor queue's share after admission stays strictly below the victim
    ///    queue's share, re-checked as victims are taken, so that preemption cannot loop);
    /// 2. order: least work lost since the last checkpoint, then lowest priority, then most recently started, then id;
    /// 3. take victims in that order until quota and the gang's placement fit;
    /// 4. give back every victim that turns out not to be needed (newest choice first);
    /// 5. commit: evict the victims whole (gangs), admit the preemptor.
    /// </summary>
    private bool TryPreempt(WorkloadState w, int f, int[] counts, TimeSpan now)
    {
        var q = w.QueueIndex;
        var policy = _queues[q].Preemption;
        var request = RequestOf(w, counts);
        var root = Quotas.RootOf(q);

        // 1. Candidates.
        var candidates = new List<(WorkloadState V, PreemptionKind Kind)>();
        foreach (var v in _admittedByFlavor[f])
        {
            if (!v.Workload.Preemptible)
            {
                continue;
            }

            var minRuntime = _queues[v.QueueIndex].MinRuntime;
            if (now - v.AdmittedAt < minRuntime)
            {
                var eligible = v.AdmittedAt + minRuntime;
                _retryAt = eligible < _retryAt ? eligible : _retryAt;
                continue;
            }

            if (v.QueueIndex == q)
            {
                var allowed = policy.WithinQueue switch
                {
                    WithinQueuePreemption.LowerPriority => v.Workload.Priority < w.Workload.Priority,
                    WithinQueuePreemption.LowerOrNewerEqualPriority => v.Workload.Priority < w.Workload.Priority
                        || (v.Workload.Priority == w.Workload.Priority && (v.Workload.SubmitTime > w.Workload.SubmitTime || (v.Workload.SubmitTime == w.Workload.SubmitTime && v.Sequence > w.Sequence))),
                    _ => false,
                };
                if (allowed)
                {
                    candidates.Add((v, PreemptionKind.WithinQueue));
                }

                continue;
            }

            if (root == q || Quotas.RootOf(v.QueueIndex) != root || !Quotas.IsBorrowing(v.QueueIndex, f))
            {
                continue;
            }

            var reclaim = policy.Reclaim == ReclaimPolicy.Any || (policy.Reclaim == ReclaimPolicy.LowerPriority && v.Workload.Priority < w.Workload.Priority);
            if (reclaim && WithinNominal(q, f, request))
            {
                candidates.Add((v, PreemptionKind.Reclaim));
            }
            else if (policy.FairShare)
            {
                candidates.Add((v, PreemptionKind.FairShare));
            }
        }

        if (candidates.Count == 0)
        {
            return false;
        }

        // 2. Order.
        candidates.Sort((a, b) =>
        {
            var c = (a.V.LostSeconds(now) * a.V.Usage.GpuMilli).CompareTo(b.V.LostSeconds(now) * b.V.Usage.GpuMilli);
            if (c != 0)
            {
                return c;
            }

            c = a.V.Workload.Priority.CompareTo(b.V.Workload.Priority);
            if (c != 0)
            {
                return c;
            }

            c = b.V.AdmittedAt.CompareTo(a.V.AdmittedAt);
            return c != 0 ? c : string.CompareOrdinal(a.V.Id, b.V.Id);
        });

        // 3. Take victims until it fits.
        var checkpoint = _statement.Checkpoint();
        var chosen = new List<(WorkloadState V, PreemptionKind Kind)>();
        var fits = false;
        var shareAfter = Quotas.Share(q, f, request);
        foreach (var (v, kind) in candidates)
        {
            if (kind == PreemptionKind.FairShare && !(shareAfter < Quotas.Share(v.QueueIndex)))
            {
                continue;
            }

            if (kind == PreemptionKind.Reclaim && !Quotas.IsBorrowing(v.QueueIndex, f))
            {
                continue;
            }

            RemoveInStatement(v);
            chosen.Add((v, kind));
            if (Fits(w, f, counts, request, now))
            {
                fits = true;
                break;
            }
        }

        if (!fits)
        {
            _statement.RollbackTo(checkpoint);
            return false;
        }

        // 4. Give back victims not needed, newest choice first (the last one was needed).
        for (var i = chosen.Count - 2; i >= 0; i--)
        {
            var back = _statement.Checkpoint();
            RestoreInStatement(chosen[i].V);
            if (Fits(w, f, counts, request, now))
            {
                chosen.RemoveAt(i);
            }
            else
            {
                _statement.RollbackTo(back);
            }
        }

        // 5. Commit: place the preemptor for real, then evict the victims.
        if (!TryPlaceGang(w, f, counts, now, keep: true, out _))
        {
            _statement.RollbackTo(checkpoint); // cannot happen: Fits just said yes with the same state
            return false;
        }

        var placements = _scratch.ToArray();
        _statement.RollbackTo(checkpoint);
        foreach (var (v, kind) in chosen)
        {
            EvictAdmitted(v, kind switch
            {
                PreemptionKind.WithinQueue => "Preempted",
                PreemptionKind.Reclaim => "Reclaimed",
                _ => "FairSharePreempted",
            }, w.Id, $"to admit {w.Id} of queue {_queues[q].Name}");
        }

        foreach (var p in placements)
        {
            ReservePod(p.Pod, p.Node, p.GpuMask);
        }

        _scratch.Clear();
        _scratch.AddRange(placements);
        Admit(w, f, counts, now);
        _statement.Commit();
        return true;
    }

    private bool WithinNominal(int q, int f, Resources request)
    {
        for (var k = 0; k < Resources.KindCount; k++)
        {
            var kind = (ResourceKind)k;
            if (request[kind] > 0 && Quotas.IsLimited(q, f, kind) && Quotas.Usage(q, f, kind) + request[kind] > Quotas.Nominal(q, f, kind))
            {
                return false;
            }
        }

        return true;
    }

    private bool Fits(WorkloadState w, int f, int[] counts, Resources request, TimeSpan now) =>
        QuotaCheck(w.QueueIndex, f, request) is null && TryPlaceGang(w, f, counts, now, keep: false, out _);

    private void RemoveInStatement(WorkloadState v)
    {
        foreach (var p in v.Placements)
        {
            _statement.Release(p.Pod, p.Node, p.GpuMask);
        }

        _statement.AddUsage(v.QueueIndex, v.Flavor, default(Resources) - v.Usage);
    }

    private void RestoreInStatement(WorkloadState v)
    {
        foreach (var p in v.Placements)
        {
            ReservePod(p.Pod, p.Node, p.GpuMask);
            _statement.Placed(p.Pod, p.Node, p.GpuMask);
        }

        _statement.AddUsage(v.QueueIndex, v.Flavor, v.Usage);
    }

    private enum PreemptionKind
    {
        WithinQueue,
        Reclaim,
        FairShare,
    }
}
