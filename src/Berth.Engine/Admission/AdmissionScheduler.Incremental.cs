using Berth.Engine.Admission.Actions;

namespace Berth.Engine.Admission;

// Incremental admission (AdmissionOptions.Incremental): the same decisions as a cycle that looks at everything,
// at a fraction of the cost once most pending work cannot run. Here: a trial that failed on quota alone is reused
// while its quota tree is unchanged (QuotaTree.Version): the reason, and so every event and skip that follows from
// it, is what a new trial would give; and the hooks the other two parts use: FailureFloors (skips decided per
// shape, queues walked by shape ids) and QueueParking (quota trees whose walks replay are left out of the cycle).
public sealed partial class AdmissionScheduler
{
    private readonly FailureFloors _floors;
    private readonly bool[] _quotaFailureFinal;
    private readonly bool _marksNeeded;

    internal QueueParking Parking => _parking;

    /// <summary>Skips decided per shape (see <see cref="FailureFloors"/>).</summary>
    internal FailureFloors Floors => _floors;

    /// <summary>True when the profile backfills, so walks keep the marks a reservation reads.</summary>
    internal bool MarksNeeded => _marksNeeded;

    /// <summary>The current generation: bumped whenever capacity or quota frees, which resets every walk.</summary>
    internal long Generation => _generation;

    /// <summary>Bumped whenever workloads join queue <paramref name="q"/> (its snapshot is then rebuilt).</summary>
    internal long QueueVersion(int q) => _walk.Version(q);

    internal bool SnapshotCurrent(int q) => _walk.SnapshotCurrent(q);

    /// <summary>The snapshot of queue <paramref name="q"/>'s order that its cursor walks.</summary>
    internal WorkloadState[] SnapshotOf(int q) => _walk.SnapshotOf(q);

    internal void SetCursor(int q, int cursor) => _walk.SetCursor(q, cursor);

    /// <summary>What a trial of <paramref name="w"/> does when its quota failure is reused, and its mark as tried.</summary>
    internal void ReplayQuotaFailure(WorkloadState w)
    {
        SetReason(w, w.QuotaFailure!);
        RememberFailure(w, placementTried: false);
        w.TriedGeneration = _generation;
    }

    /// <summary>How many trials were answered by a reused quota failure; for tests.</summary>
    internal long ReusedQuotaFailures { get; private set; }

    /// <summary>
    /// Step 5, short way: when <paramref name="w"/> last failed on quota alone and its quota tree has not changed
    /// since, records the same reason and the same floor as a new trial would, and returns true (not admitted).
    /// </summary>
    internal bool ReuseQuotaFailure(WorkloadState w)
    {
        if (!Options.Incremental || w.QuotaFailure is not { } known || w.QuotaFailureVersion != Quotas.Version(w.QueueIndex))
        {
            return false;
        }

        SetReason(w, known);
        RememberFailure(w, placementTried: false);
        ReusedQuotaFailures++;
        return true;
    }

    /// <summary>After a failed trial: keeps its reason for <see cref="ReuseQuotaFailure"/> when it was quota alone.</summary>
    internal void KeepQuotaFailure(WorkloadState w, AdmissionAttempt attempt, PendingReason reason)
    {
        var reusable = Options.Incremental && attempt.Reason is not null && !attempt.PlacementReasonSeen && !w.Workload.IsElastic
            && _quotaFailureFinal[w.QueueIndex] && !ReferenceEquals(_reservation.Current?.Holder, w);
        w.QuotaFailure = reusable ? reason : null;
        w.QuotaFailureVersion = Quotas.Version(w.QueueIndex);
    }

    /// <summary>Records why <paramref name="w"/> failed in the floors (see <see cref="FailureFloors"/>).</summary>
    internal void RememberFailure(WorkloadState w, bool placementTried)
    {
        if (_floors.Remember(w, placementTried, _generation, _reservation.Current is null))
        {
            _parking.UnparkAll(); // a parked walk may skip differently from here on
        }
    }

    internal bool IsDominated(WorkloadState w) => _floors.IsDominated(w, _generation, _reservation.Current is null);
}
