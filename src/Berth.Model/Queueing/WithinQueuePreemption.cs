namespace Berth.Model.Queueing;

/// <summary>Which workloads of its own queue a pending workload may preempt.</summary>
public enum WithinQueuePreemption
{
    Never = 0,

    /// <summary>Only workloads of strictly lower priority.</summary>
    LowerPriority = 1,

    /// <summary>Lower priority, or equal priority submitted later.</summary>
    LowerOrNewerEqualPriority = 2,
}
