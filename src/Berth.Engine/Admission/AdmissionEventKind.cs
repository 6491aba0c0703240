namespace Berth.Engine.Admission;

public enum AdmissionEventKind
{
    Submitted = 0,

    /// <summary>Quota reserved and every pod placed; the workload starts.</summary>
    Admitted,

    /// <summary>Its pending reason changed (the event's Reason carries the new one).</summary>
    Pending,

    /// <summary>Stopped and put back in its queue (preempted, reclaimed, drained, gang not ready).</summary>
    Evicted,

    Finished,

    /// <summary>Stopped for good, with a reason (never fits, gang retries exhausted, max run time, idle GPUs reclaimed).</summary>
    Failed,

    /// <summary>A running workload's GPUs sit idle under its queue's idle-GPU policy (the reason says what follows); it keeps running.</summary>
    Idle,
}
