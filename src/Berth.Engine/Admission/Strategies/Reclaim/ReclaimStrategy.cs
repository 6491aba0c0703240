using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Strategies.Reclaim;

/// <summary>
/// Reclaim: a queue that stays within its nominal quota takes back capacity another queue of its cohort tree
/// borrows (any victim, or only lower-priority ones, as the preemptor's policy says). A victim whose queue no
/// longer borrows, once earlier victims are taken, is left alone.
/// </summary>
internal sealed class ReclaimStrategy : IPreemptionStrategy
{
    public string Name => "reclaim";

    public string EvictionReason => "Reclaimed";

    public bool KeepsPreemptorWithinNominal => false;

    public bool Allows(PreemptionContext context, WorkloadState victim)
    {
        if (victim.QueueIndex == context.Queue || !context.WithinNominal)
        {
            return false;
        }

        return context.Policy.Reclaim == ReclaimPolicy.Any
            || (context.Policy.Reclaim == ReclaimPolicy.LowerPriority && victim.Workload.Priority < context.Preemptor.Workload.Priority);
    }

    public bool MayTake(PreemptionContext context, WorkloadState victim) => context.Quotas.IsBorrowing(victim.QueueIndex, context.Flavor);
}
