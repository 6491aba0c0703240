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

    // Reclaim and within-queue preemption free quota.
    public bool MayAdmitOverQuota(Queue queue) => Enabled(queue);

    public bool RunsPerFlavor(Queue queue) => queue.Fungibility.PreemptBeforeNextFlavor;

    public bool TryAdmitIn(AdmissionSession session, AdmissionAttempt attempt, int flavor)
    {
        var w = attempt.Workload;
        return Enabled(session.Scheduler.Queues[w.QueueIndex]) && session.Scheduler.Preemption.TryPreempt(w, flavor, attempt.Full, session.Now);
    }

    public bool TryAdmit(AdmissionSession session, AdmissionAttempt attempt)
    {
        var s = session.Scheduler;
        var w = attempt.Workload;
        var queue = s.Queues[w.QueueIndex];
        if (!Enabled(queue) || RunsPerFlavor(queue))
        {
            return false;
        }

        foreach (var f in s.FlavorsOf(w.QueueIndex))
        {
            if (s.CouldEverFit(w, f) && s.Preemption.TryPreempt(w, f, attempt.Full, session.Now))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Enabled(Queue queue) =>
        queue.Preemption.WithinQueue != WithinQueuePreemption.Never || queue.Preemption.Reclaim != ReclaimPolicy.Never || queue.Preemption.FairShare;
}
