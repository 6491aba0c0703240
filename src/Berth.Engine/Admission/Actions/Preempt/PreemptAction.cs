using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Preempt;

/// <summary>
/// Admits by evicting others, under the preemption strategies the queue's policy enables (within the queue,
/// reclaim, fair share: <see cref="Strategies.PreemptionStrategies"/>). Per flavor, inside the allocate action's
/// flavor walk, when the queue preempts before trying its next flavor; otherwise after every other action, over
/// the queue's flavors in order.
/// </summary>
internal sealed class PreemptAction : IAdmissionAction
{
    public string Name => AdmissionActions.Preempt;

    // The starvation wake-up predates actions and came with preemption; kept so that replays stay the same.
    public bool StarvationMatters => true;

    // Evicted victims start a new generation in the middle of a cycle.
    public bool Evicts => true;

    // Reclaim and within-queue preemption free quota.
    public bool MayAdmitOverQuota(Queue queue) => Enabled(queue);

    public bool RunsPerFlavor(Queue queue) => queue.Fungibility.PreemptBeforeNextFlavor;

    public bool TryAdmitIn(AdmissionSession session, AdmissionAttempt attempt, int flavor)
    {
        var w = attempt.Workload;
        return Enabled(session.Scheduler.Queues[w.QueueIndex]) && session.Scheduler.Preemption.TryPreempt(w, flavor, attempt.Full, session.Now, session.Scheduler.Strategies);
    }

    public bool TryAdmit(AdmissionSession session, AdmissionAttempt attempt)
    {
        var s = session.Scheduler;
        var queue = s.Queues[attempt.Workload.QueueIndex];
        return Enabled(queue) && !RunsPerFlavor(queue) && s.Preemption.TryPreemptInQueueFlavors(attempt.Workload, attempt.Full, session.Now, s.Strategies);
    }

    private static bool Enabled(Queue queue) =>
        queue.Preemption.WithinQueue != WithinQueuePreemption.Never || queue.Preemption.Reclaim != ReclaimPolicy.Never || queue.Preemption.FairShare;
}
