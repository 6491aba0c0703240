using Berth.Engine.Admission.Actions;

namespace Berth.Engine.Admission;

/// <summary>
/// Incremental admission (<see cref="AdmissionOptions.Incremental"/>), the scheduler's memory of failures: a trial
/// that failed on quota alone is reused while its quota tree is unchanged (<see cref="QuotaTree.Version"/>), since
/// the reason, and so every event and skip that follows from it, is what a new trial would give; and the floors
/// (<see cref="FailureFloors"/>) that decide skips per shape. Kept apart from the scheduler so that the rules of
/// reuse sit in one place, next to the one flag per queue that makes them safe.
/// </summary>
internal sealed class QuotaFailures
{
    private readonly AdmissionScheduler _s;
    private readonly bool[] _final;

    /// <param name="s">The scheduler whose reasons, generation and reservation are read.</param>
    /// <param name="actions">The profile's actions: a quota failure is final for a queue only when none may admit over quota.</param>
    public QuotaFailures(AdmissionScheduler s, IReadOnlyList<IAdmissionAction> actions)
    {
        _s = s;
        Floors = new FailureFloors(s.FlavorsOfQueues);
        // Per queue: no action can admit a workload over quota in every flavor (only preemption can), so such a failure is final while the quota tree is unchanged.
        _final = s.QueueArray.Select(q => actions.All(a => !a.MayAdmitOverQuota(q))).ToArray();
    }

    /// <summary>Skips decided per shape (see <see cref="FailureFloors"/>).</summary>
    public FailureFloors Floors { get; }

    /// <summary>How many trials were answered by a reused quota failure; for tests.</summary>
    public long Reused { get; private set; }

    /// <summary>What a trial of <paramref name="w"/> does when its quota failure is reused, and its mark as tried.</summary>
    public void Replay(WorkloadState w)
    {
        _s.SetReason(w, w.QuotaFailure!);
        Remember(w, placementTried: false);
        w.TriedGeneration = _s.Generation;
    }

    /// <summary>
    /// Step 5, short way: when <paramref name="w"/> last failed on quota alone and its quota tree has not changed
    /// since, records the same reason and the same floor as a new trial would, and returns true (not admitted).
    /// </summary>
    public bool Reuse(WorkloadState w)
    {
        if (!_s.Options.Incremental || w.QuotaFailure is not { } known || w.QuotaFailureVersion != _s.Quotas.Version(w.QueueIndex))
        {
            return false;
        }

        _s.SetReason(w, known);
        Remember(w, placementTried: false);
        Reused++;
        return true;
    }

    /// <summary>After a failed trial: keeps its reason for <see cref="Reuse"/> when it was quota alone.</summary>
    public void Keep(WorkloadState w, AdmissionAttempt attempt, PendingReason reason)
    {
        var reusable = _s.Options.Incremental && attempt.Reason is not null && !attempt.PlacementReasonSeen && !w.Workload.IsElastic
            && _final[w.QueueIndex] && !ReferenceEquals(_s.CurrentReservation?.Holder, w);
        w.QuotaFailure = reusable ? reason : null;
        w.QuotaFailureVersion = _s.Quotas.Version(w.QueueIndex);
    }

    /// <summary>Records why <paramref name="w"/> failed in the floors (see <see cref="FailureFloors"/>).</summary>
    public void Remember(WorkloadState w, bool placementTried)
    {
        if (Floors.Remember(w, placementTried, _s.Generation, _s.CurrentReservation is null))
        {
            _s.Parking.UnparkAll(); // a parked walk may skip differently from here on
        }
    }

    public bool IsDominated(WorkloadState w) => Floors.IsDominated(w, _s.Generation, _s.CurrentReservation is null);
}
