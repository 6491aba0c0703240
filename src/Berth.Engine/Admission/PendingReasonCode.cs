namespace Berth.Engine.Admission;

/// <summary>Why a pending workload is not running: one code per workload at any time.</summary>
public enum PendingReasonCode
{
    /// <summary>Submitted, not yet considered by an admission cycle.</summary>
    Queued = 0,

    /// <summary>Its queue (with what it may borrow) has too little quota left in every flavor.</summary>
    QuotaExceeded,

    /// <summary>The cohort has the quota, but the queue's borrowing limit stops it from taking it.</summary>
    BorrowingLimitReached,

    /// <summary>Quota is there, but not one of its pods fits on a node of the flavor now.</summary>
    NoNodeFits,

    /// <summary>Some of its pods fit now but not all of them (or not its min count): a gang is placed whole or not at all.</summary>
    GangIncomplete,

    /// <summary>It is the starving head: nodes are reserved for it and it is expected to start when they free.</summary>
    WaitingForReservation,

    /// <summary>It would fit only on nodes reserved for a starving workload, and it would not end before they are needed.</summary>
    BlockedByReservation,

    /// <summary>Its queue holds new admissions (stop policy).</summary>
    QueueHeld,

    /// <summary>Its StrictFIFO queue's head has not been admitted yet.</summary>
    BehindHead,

    /// <summary>Requeued after its gang did not become ready; waits out an exponential backoff.</summary>
    Backoff,

    /// <summary>It can never be admitted: larger than its queue could ever hold, or than any node of its flavors.</summary>
    NeverFits,
}
