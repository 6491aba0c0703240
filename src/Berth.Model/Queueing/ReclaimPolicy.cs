namespace Berth.Model.Queueing;

/// <summary>Which borrowing workloads of other queues in the cohort a queue under its nominal quota may evict.</summary>
public enum ReclaimPolicy
{
    Never = 0,

    /// <summary>Only borrowers of lower priority than the preemptor.</summary>
    LowerPriority = 1,

    /// <summary>Any borrower.</summary>
    Any = 2,
}
