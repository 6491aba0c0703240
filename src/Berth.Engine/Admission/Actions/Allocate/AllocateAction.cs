using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Allocate;

/// <summary>
/// Admits without disturbing anyone: the queue's flavors in order (fungibility), quota with borrowing, then the
/// gang's placement, all or nothing; an elastic workload at the largest size that fits. A flavor where the queue
/// would borrow is deferred until every later flavor was tried, unless the queue borrows before the next flavor.
/// Per-flavor actions of the profile (preempt before the next flavor) run right after each flavor.
/// </summary>
internal sealed class AllocateAction : IAdmissionAction
{
    // Quota is checked first in every flavor; a workload over quota everywhere is never placed.
    public bool MayAdmitOverQuota(Queue queue) => false;

    public string Name => AdmissionActions.Allocate;

    public bool TryAdmit(AdmissionSession session, AdmissionAttempt attempt)
    {
        var s = session.Scheduler;
        var w = attempt.Workload;
        var q = w.QueueIndex;
        var queue = s.Queues[q];
        var flavors = s.FlavorsOf(q);
        List<int>? deferredBorrow = null;
        for (var i = 0; i < flavors.Length; i++)
        {
            var f = flavors[i];
            if (!s.CouldEverFit(w, f))
            {
                continue;
            }

            var request = w.RequestOf(attempt.Full);
            if (s.QuotaFits(q, f, request, w.Workload.Preemptible))
            {
                if (s.Borrows(q, f, request) && !queue.Fungibility.BorrowBeforeNextFlavor && i < flavors.Length - 1)
                {
                    (deferredBorrow ??= []).Add(f);
                    continue;
                }

                if (s.TryPlaceAndAdmit(w, f, attempt.Full, session.Now, out var placementReason))
                {
                    return true;
                }

                attempt.Prefer(placementReason, placement: true);
            }
            else if (attempt.Reason is null)
            {
                attempt.Prefer(s.QuotaCheck(q, f, request, w.Workload.Preemptible)!, placement: false); // only a first reason is kept
            }

            if (TryElastic(s, w, f, session.Now))
            {
                return true;
            }

            foreach (var action in attempt.PerFlavor)
            {
                if (action.TryAdmitIn(session, attempt, f))
                {
                    return true;
                }
            }
        }

        foreach (var f in deferredBorrow ?? [])
        {
            if (s.TryPlaceAndAdmit(w, f, attempt.Full, session.Now, out var placementReason))
            {
                return true;
            }

            attempt.Prefer(placementReason, placement: true);
            if (TryElastic(s, w, f, session.Now))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An elastic workload at the largest size between its minimum and full counts that fits quota and placement.</summary>
    private static bool TryElastic(AdmissionScheduler s, WorkloadState w, int f, TimeSpan now)
    {
        if (!w.Workload.IsElastic)
        {
            return false;
        }

        // Largest size between min and full that fits quota and placement: binary search on one step count.
        var sets = w.Workload.PodSets;
        var maxStep = sets.Max(set => set.Count - set.MinCount);
        int[] CountsAt(int step) => sets.Select(set => set.MinCount + (int)((long)(set.Count - set.MinCount) * step / maxStep)).ToArray();
        int lo = 0, hi = maxStep - 1, best = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var counts = CountsAt(mid);
            if (s.QuotaFits(w.QueueIndex, f, w.RequestOf(counts), w.Workload.Preemptible) && s.Gangs.TryQuietly(w, f, counts, now, keep: false))
            {
                best = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (best < 0)
        {
            return false;
        }

        return s.TryPlaceAndAdmit(w, f, CountsAt(best), now, out _);
    }
}
