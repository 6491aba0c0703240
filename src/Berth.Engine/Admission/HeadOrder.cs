using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Step 4 of a cycle, the order of the heads: the reservation holder first, then queue priority, then (fair-share
/// profiles) the queue's weighted dominant-resource share after admitting the head plus its usage history term, then
/// the queue order (priority, submit time, submission order). A total order, so any sort gives one result. Keys are
/// computed once per head per round into a flat array (the full request of a workload is cached on it).
/// </summary>
internal sealed class HeadOrder(AdmissionScheduler scheduler)
{
    private (double Key, WorkloadState W)[] _scratch = [];

    /// <summary>Sorts <paramref name="candidates"/> and puts their keys, in the same order, in <paramref name="keys"/>.</summary>
    public void Sort(List<WorkloadState> candidates, List<double> keys, TimeSpan now)
    {
        var n = candidates.Count;
        if (_scratch.Length < n)
        {
            _scratch = new (double, WorkloadState)[Math.Max(n, 2 * _scratch.Length)];
        }

        var keyed = _scratch.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            keyed[i] = (Key(candidates[i], now), candidates[i]);
        }

        keyed.Sort((x, y) => Compare(x.Key, x.W, y.Key, y.W));
        keys.Clear();
        for (var i = 0; i < n; i++)
        {
            candidates[i] = keyed[i].W;
            keys.Add(keyed[i].Key);
            keyed[i] = default;
        }
    }

    /// <summary>A head's fair-share key: its queue's share after admitting it, plus the usage history term.</summary>
    public double Key(WorkloadState w, TimeSpan now)
    {
        var flavors = scheduler.FlavorsOf(w.QueueIndex);
        if (scheduler.Options.Order != CandidateOrder.FairShare || flavors.Length == 0)
        {
            return 0.0;
        }

        var share = scheduler.Quotas.Share(w.QueueIndex, flavors[0], w.FullRequest ??= w.RequestOf(w.Workload.PodSets.Select(s => s.Count).ToArray()));
        return scheduler.UsageHalfLife is null ? share : share + scheduler.UsageHistoryTerm(w.QueueIndex, now);
    }

    /// <summary>The order of two heads with their keys.</summary>
    public int Compare(double keyA, WorkloadState a, double keyB, WorkloadState b)
    {
        var holder = scheduler.ReservationHolder;
        if (!ReferenceEquals(a, b) && (ReferenceEquals(a, holder) || ReferenceEquals(b, holder)))
        {
            return ReferenceEquals(a, holder) ? -1 : 1;
        }

        var c = scheduler.Queues[b.QueueIndex].Priority.CompareTo(scheduler.Queues[a.QueueIndex].Priority);
        if (c != 0)
        {
            return c;
        }

        c = keyA.CompareTo(keyB);
        return c != 0 ? c : QueueOrder.Instance.Compare(a, b);
    }
}
