namespace Berth.Runtime.Lifecycle;

/// <summary>Why a running workload was sent back to its queue (or moved). The name is the code in event logs.</summary>
public enum EvictionReason
{
    /// <summary>Preempted within its queue by a workload of higher priority.</summary>
    Preempted,

    /// <summary>Its queue borrowed; the lender took its quota back.</summary>
    Reclaimed,

    /// <summary>Preempted to make shares fairer.</summary>
    FairSharePreempted,

    /// <summary>Moved so that free pieces of GPUs join for a starving workload.</summary>
    Consolidated,

    /// <summary>Its queue's stop policy drains it.</summary>
    QueueDrained,

    /// <summary>Its pods were not all ready within the pods-ready timeout.</summary>
    GangNotReady,

    /// <summary>An admission check asked for a retry.</summary>
    AdmissionCheckRetry,

    /// <summary>A pod runs on a node that is gone or not ready, or on an unhealthy GPU.</summary>
    NodeUnhealthy,

    /// <summary>A pod runs on a node with a termination notice (a spot node the cloud reclaims); asked to checkpoint first.</summary>
    SpotReclaimed,
}
