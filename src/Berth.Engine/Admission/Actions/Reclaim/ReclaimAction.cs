using Berth.Engine.Admission.Strategies;
using Berth.Engine.Admission.Strategies.Reclaim;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Reclaim;

/// <summary>
/// Admits by taking back borrowed capacity only (KAI Scheduler's reclaim action): the preempt action's search asked
/// with the reclaim strategy alone, so a victim is always another queue's workload over its nominal quota in the
/// cohort tree, taken for a preemptor that stays within its own; never one of the preemptor's queue (within-queue
/// preemption) nor one that only fair share would allow. A profile that names it before <c>preempt</c> takes back what
/// others borrow before it disrupts its own queue, even where a within-queue victim would lose less work. Runs where the
/// preempt action would for the queue: per flavor inside the allocate action's walk when the queue preempts before
/// trying its next flavor, otherwise over the queue's flavors in order.
/// </summary>
internal sealed class ReclaimAction : IAdmissionAction
{
    /// <summary>The strategies this action asks: the registry's reclaim strategy alone.</summary>
    private static readonly IReadOnlyList<IPreemptionStrategy> Reclaiming = PreemptionStrategies.All.Where(s => s is ReclaimStrategy).ToArray();

    public string Name => AdmissionActions.Reclaim;

    // Evicted borrowers start a new generation in the middle of a cycle.
    public bool Evicts => true;

    // Reclaim frees quota.
    public bool MayAdmitOverQuota(Queue queue) => Enabled(queue);

    public bool RunsPerFlavor(Queue queue) => queue.Fungibility.PreemptBeforeNextFlavor;

    public bool TryAdmitIn(AdmissionSession session, AdmissionAttempt attempt, int flavor)
    {
        var w = attempt.Workload;
        return Enabled(session.Scheduler.Queues[w.QueueIndex]) && session.Scheduler.Preemption.TryPreempt(w, flavor, attempt.Full, session.Now, Reclaiming);
    }

    public bool TryAdmit(AdmissionSession session, AdmissionAttempt attempt)
    {
        var queue = session.Scheduler.Queues[attempt.Workload.QueueIndex];
        return Enabled(queue) && !RunsPerFlavor(queue) && session.Scheduler.Preemption.TryPreemptInQueueFlavors(attempt.Workload, attempt.Full, session.Now, Reclaiming);
    }

    private static bool Enabled(Queue queue) => queue.Preemption.Reclaim != ReclaimPolicy.Never;
}
