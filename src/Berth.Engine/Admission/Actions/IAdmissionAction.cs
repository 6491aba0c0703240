using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions;

/// <summary>
/// One way of admitting a pending workload (KAI Scheduler / Volcano actions). A profile names the actions and
/// their order (<see cref="AdmissionOptions.Actions"/>), least disruptive first; for each candidate the cycle
/// asks them in that order and stops at the first that admits it. Actions are stateless: everything they
/// change goes through the session's statement and the scheduler's admit and evict steps.
/// </summary>
internal interface IAdmissionAction
{
    /// <summary>The registry name, as profiles and scenario files spell it.</summary>
    string Name { get; }

    /// <summary>
    /// True when a pending head that starts to starve (waits past the starvation threshold) may be decided
    /// differently by this action, so a cycle must run then even with nothing else happening.
    /// </summary>
    bool StarvationMatters => false;

    /// <summary>
    /// True when this action may evict admitted workloads in the middle of a cycle (each eviction starts a new
    /// generation there), which parking of queues cannot follow (<see cref="QueueParking"/>): a profile with such an
    /// action never parks.
    /// </summary>
    bool Evicts => false;

    /// <summary>
    /// True when this action may admit a workload of <paramref name="queue"/> that is over its quota in every flavor
    /// (preemption, by reclaiming quota). False promises that such a workload is left alone with no side effect, so a
    /// cycle may reuse a quota failure while the quota tree is unchanged. The safe default is true.
    /// </summary>
    bool MayAdmitOverQuota(Queue queue) => true;

    /// <summary>Once per round of a cycle, before the heads are collected (for example: reserve nodes for a starving head).</summary>
    void BeginRound(AdmissionSession session)
    {
    }

    /// <summary>
    /// True when, for a workload of <paramref name="queue"/>, this action runs inside the allocate action's walk over
    /// the queue's flavors, right after each flavor is tried (Kueue's fungibility: preempt before trying the next flavor).
    /// </summary>
    bool RunsPerFlavor(Queue queue) => false;

    /// <summary>The per-flavor step (see <see cref="RunsPerFlavor"/>): tries to admit the attempt's workload in <paramref name="flavor"/> only.</summary>
    bool TryAdmitIn(AdmissionSession session, AdmissionAttempt attempt, int flavor) => false;

    /// <summary>Tries to admit the attempt's workload; true when it was admitted (and committed).</summary>
    bool TryAdmit(AdmissionSession session, AdmissionAttempt attempt);
}
