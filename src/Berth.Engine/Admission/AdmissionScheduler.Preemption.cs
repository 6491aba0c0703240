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
    ///    queue's share after the eviction, or the preemptor stays within its nominal quota and the victim's
    ///    queue stays at or above its own; checked victim by victim, so that preemption cannot loop: the
    ///    victim's queue can never win the capacity back by the same rule, nor reclaim it); shares here are
    ///    current shares only: usage history (<see cref="UsageHistory"/>) orders heads but never allows an
    ///    eviction, since a history that changes with time would let two queues preempt each other in turns;
    /// 2. order: least work lost since the last checkpoint, then lowest priority, then most recently started, then id;
    /// 3. take victims in that order until quota and the gang's placement fit;
    /// 4. give back every victim that turns out not to be needed (newest choice first);
    /// 5. place the preemptor, and give up if any victim could be readmitted at once (a pure move);
    /// 6. commit: evict the victims whole (gangs), admit the preemptor.
    /// </summary>
    private bool TryPreempt(WorkloadState w, int f, int[] counts, TimeSpan now)
    {
        var q = w.QueueIndex;
        var policy = _queues[q].Preemption;
        var request = RequestOf(w, counts);
        var root = Quotas.RootOf(q);

        // 1. Candidates.
        var candidates = new List<(WorkloadState V, PreemptionKind Kind)>();
        var withinNominal = WithinNominal(q, f, request);
        var shareAfterAdmission = policy.FairShare ? Quotas.Share(q, f, request) : 0;
        var budgetLeft = new Dictionary<int, int>();
        foreach (var v in _admittedByFlavor[f])
        {
            if (!v.Workload.Preemptible || DisruptionsLeft(v.QueueIndex, now) == 0)
            {
                continue;
            }

            budgetLeft[v.QueueIndex] = DisruptionsLeft(v.QueueIndex, now);

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

            if (WouldDisplaceOwn(v, now))
            {
                continue; // evicted, it would come straight back by preempting a lower one of its own queue: take that one instead
            }

            var reclaim = policy.Reclaim == ReclaimPolicy.Any || (policy.Reclaim == ReclaimPolicy.LowerPriority && v.Workload.Priority < w.Workload.Priority);
            if (reclaim && withinNominal)
            {
                candidates.Add((v, PreemptionKind.Reclaim));
            }
            else if (policy.FairShare && (shareAfterAdmission < Quotas.Share(v.QueueIndex, v.Flavor, default(Resources) - v.Usage)
                || (withinNominal && AtOrAboveNominal(v.QueueIndex, f, request, v.Usage))))
            {
                // Necessary for fair share: the victim's queue stays above the preemptor even with only this one
                // removed (removing more of it only lowers it), re-checked as victims are taken below.
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

        // A quick bound: even all candidates together cannot free enough GPU.
        var freeable = _flavorFreeGpu[f];
        foreach (var (v, _) in candidates)
        {
            freeable += v.Usage.GpuMilli;
        }

        if (freeable < request.GpuMilli)
        {
            return false;
        }

        // 3. Take victims until it fits. Preempting inside its own queue is allowed only when the preemptor
        //    then stays within its nominal quota (as Kueue does): a queue that preempts its own to borrow more
        //    would be reclaimed at once by the queue it borrows from, and the two would take turns for ever.
        var checkpoint = _statement.Checkpoint();
        var chosen = new List<(WorkloadState V, PreemptionKind Kind)>();
        bool Satisfied() => Fits(w, f, counts, request, now)
            && (!chosen.Exists(c => c.Kind == PreemptionKind.WithinQueue) || WithinNominal(q, f, request));
        var fits = false;
        var shareAfter = Quotas.Share(q, f, request);
        foreach (var (v, kind) in candidates)
        {
            if (kind == PreemptionKind.Reclaim && !Quotas.IsBorrowing(v.QueueIndex, f))
            {
                continue;
            }

            if (chosen.Count(c => c.V.QueueIndex == v.QueueIndex) >= budgetLeft[v.QueueIndex])
            {
                continue; // its queue's disruption budget is spent
            }

            var beforeRemoval = _statement.Checkpoint();
            RemoveInStatement(v);
            if (kind == PreemptionKind.FairShare && !(shareAfter < Quotas.Share(v.QueueIndex) || (withinNominal && AtOrAboveNominal(v.QueueIndex, f, request, default))))
            {
                // The victim's queue would end at or below the preemptor's share: not fairer, so not allowed.
                _statement.RollbackTo(beforeRemoval);
                continue;
            }

            chosen.Add((v, kind));
            if (Satisfied())
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

        // 4. Give back victims not needed, newest choice first (the last one was needed). A victim with no pod on
        //    the nodes the preemptor would take is given back when quota still allows, without a placement trial
        //    (those nodes stay as they are); one on those nodes only when a trial says the preemptor still fits.
        var used = new HashSet<int>();
        if (TryPlaceGang(w, f, counts, now, keep: false, out _, used))
        {
            for (var i = chosen.Count - 2; i >= 0; i--)
            {
                var back = _statement.Checkpoint();
                RestoreInStatement(chosen[i].V);
                var kept = chosen[i];
                chosen.RemoveAt(i);
                var onUsed = kept.V.Placements.Exists(p => used.Contains(p.Node));
                var ok = onUsed ? Satisfied() : QuotaCheck(q, f, request) is null && (!chosen.Exists(c => c.Kind == PreemptionKind.WithinQueue) || WithinNominal(q, f, request));
                if (!ok)
                {
                    chosen.Insert(i, kept);
                    _statement.RollbackTo(back);
                }
            }
        }

        // 5. Place the preemptor; a victim that could then be readmitted at once would only be moved, losing
        //    work for nothing (and would come back next cycle): then there is no preemption.
        if (!TryPlaceGang(w, f, counts, now, keep: true, out _))
        {
            _statement.RollbackTo(checkpoint); // cannot happen: Fits just said yes with the same state
            return false;
        }

        var placements = _scratch.ToArray();
        _statement.AddUsage(q, f, request);
        // Victims are judged without any reservation: the preemptor's own ends with its admission, and another
        // one may end with this very change (its holder's reason changes), after which the victim would fit.
        var reservation = _reservation;
        _reservation = null;

        var moved = chosen.Exists(c => CouldReadmit(c.V, now));
        _reservation = reservation;
        if (moved)
        {
            _statement.RollbackTo(checkpoint);
            return false;
        }

        // 6. Commit: evict the victims whole, admit the preemptor where it was placed.
        _statement.RollbackTo(checkpoint);
        foreach (var (v, kind) in chosen)
        {
            RecordDisruption(v.QueueIndex, now);
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

    /// <summary>True when <paramref name="v"/> (removed in the statement) could be admitted again now in one of its queue's flavors.</summary>
    private bool CouldReadmit(WorkloadState v, TimeSpan now)
    {
        foreach (var f in _queueFlavors[v.QueueIndex])
        {
            if (CouldEverFit(v, f) && QuotaCheck(v.QueueIndex, f, RequestOf(v, v.Counts)) is null && TryPlaceGang(v, f, v.Counts, now, keep: false, out _))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="v"/>, once evicted, could preempt another admitted workload of its own queue.</summary>
    private bool WouldDisplaceOwn(WorkloadState v, TimeSpan now)
    {
        var policy = _queues[v.QueueIndex].Preemption.WithinQueue;
        if (policy == WithinQueuePreemption.Never)
        {
            return false;
        }

        foreach (var u in _admittedByFlavor[v.Flavor])
        {
            if (ReferenceEquals(u, v) || u.QueueIndex != v.QueueIndex || !u.Workload.Preemptible || now - u.AdmittedAt < _queues[u.QueueIndex].MinRuntime)
            {
                continue;
            }

            if (u.Workload.Priority < v.Workload.Priority
                || (policy == WithinQueuePreemption.LowerOrNewerEqualPriority && u.Workload.Priority == v.Workload.Priority
                    && (u.Workload.SubmitTime > v.Workload.SubmitTime || (u.Workload.SubmitTime == v.Workload.SubmitTime && u.Sequence > v.Sequence))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when queue <paramref name="vq"/>, less <paramref name="removed"/>, still uses at least its nominal quota
    /// of every resource the preemptor's <paramref name="request"/> needs: taking from it then only ends its borrowing.
    /// </summary>
    private bool AtOrAboveNominal(int vq, int f, Resources request, Resources removed)
    {
        for (var k = 0; k < Resources.KindCount; k++)
        {
            var kind = (ResourceKind)k;
            if (request[kind] > 0 && Quotas.IsLimited(vq, f, kind) && Quotas.Usage(vq, f, kind) - removed[kind] < Quotas.Nominal(vq, f, kind))
            {
                return false;
            }
        }

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
