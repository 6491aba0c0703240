namespace Berth.Runtime.View;

/// <summary>How a workload is started and stopped, which decides what a plan asks of a driver.</summary>
public enum WorkloadKind
{
    /// <summary>Started and stopped as a whole (a Kubernetes Job): admission starts it, a requeue suspends it; its pods are made by its own controller.</summary>
    Job,

    /// <summary>A declared group of pods with an admission memo of its own (a PodGroup): its pods are bound by Berth, evicted to requeue it.</summary>
    PodGroup,

    /// <summary>Pods that say they belong together, with no object of their own.</summary>
    Gang,

    /// <summary>One pod, alone.</summary>
    Pod,
}
