using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Strategies.FairShare;

/// <summary>
/// Fair-share preemption: the preemptor queue's share after admission stays strictly below the victim queue's
/// share after the eviction, or the preemptor stays within its nominal quota. Either way fair share takes only what
/// the victim's queue borrows in the preemptor's flavor: with the victim removed, its queue still uses at least its
/// nominal quota there of every resource the request needs. (A share is dominant over every flavor and resource, so
/// without this a queue that borrows mostly elsewhere could lose capacity below its nominal quota here; its evicted
/// work, back within that quota, would at once reclaim it from the preemptor's queue, which then borrows, and the two
/// would take turns for ever.) Checked once per candidate (with only that victim removed: removing more of its queue
/// only lowers it) and again as victims are taken, so that preemption cannot loop: the victim's queue can never win
/// the capacity back by the same rule, nor reclaim it. Shares are current shares only: usage history orders heads
/// but never allows an eviction, since a history that changes with time would let two queues preempt each other in turns.
/// </summary>
internal sealed class FairShareStrategy : IPreemptionStrategy
{
    public string Name => "fair-share";

    public string EvictionReason => "FairSharePreempted";

    public bool KeepsPreemptorWithinNominal => false;

    public bool Allows(PreemptionContext context, WorkloadState victim)
    {
        if (victim.QueueIndex == context.Queue || !context.Policy.FairShare)
        {
            return false;
        }

        return context.AtOrAboveNominal(victim.QueueIndex, victim.Usage)
            && (context.WithinNominal || context.ShareAfterAdmission < context.Quotas.Share(victim.QueueIndex, victim.Flavor, default(Resources) - victim.Usage));
    }

    public bool AllowsAfterRemoval(PreemptionContext context, WorkloadState victim) =>
        context.AtOrAboveNominal(victim.QueueIndex, default)
        && (context.WithinNominal || context.ShareAfterAdmission < context.Quotas.Share(victim.QueueIndex));
}
