using Berth.Engine.Admission;
using Berth.Engine.Admission.Strategies;

namespace Berth.Engine.Tests.Admission.Strategies.EqualPriority;

/// <summary>
/// A strategy written the way docs/ARCHITECTURE.md says a new one is added, to show that a folder and a registry
/// line are all it takes: inside its own queue, the preemptor may take the place of an older workload of equal
/// priority (last in, first served; the built-in within-queue strategy takes only lower ones, or equal and newer).
/// Older only, so the victim cannot take the place back: two workloads never evict each other in turns.
/// Test-only: no profile uses it.
/// </summary>
internal sealed class EqualPriorityStrategy : IPreemptionStrategy
{
    public string Name => "equal-priority";

    public string EvictionReason => "EqualPriorityPreempted";

    // As within-queue preemption: a queue that takes from itself must not end up borrowing.
    public bool KeepsPreemptorWithinNominal => true;

    public bool Allows(PreemptionContext context, WorkloadState victim) =>
        victim.QueueIndex == context.Queue && victim.Workload.Priority == context.Preemptor.Workload.Priority
        && victim.Sequence < context.Preemptor.Sequence;
}
