using Berth.Engine.Admission.Strategies;
using Berth.Engine.Admission.Victims;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission.Actions.Preempt;

/// <summary>
/// A bound read before any victim list: from the preemptible GPU each queue holds in the flavor (<see cref="VictimPool"/>)
/// and the quota tree, the queues from which a strategy could take anything at all, and the GPU they hold. When no
/// queue could give a victim, or all of them with the flavor's free GPU hold less than the request, the attempt would
/// stop at its first check (no candidate, or not enough GPU in total) and it stops here instead, after O(queues) reads.
///
/// Only an upper bound on what the search's candidates add up to: per queue, every preemptible workload of the flavor
/// counts (the search may pass some over); a queue counts when reclaim could take from it or when the preemptor's
/// share after admission is below the queue's current share (fair share compares with the share after one victim
/// is removed, which is never higher). Used only where skipping the victim list changes nothing else: strategies among
/// the three registered ones (a subset allows fewer candidates, so the bound still holds), and no queue with a minimum
/// runtime or a disruption budget (building the list reads those and moves the next retry time).
/// </summary>
internal sealed class PreemptionBound(AdmissionScheduler s)
{
    private bool? _applies;

    /// <summary>
    /// True when <see cref="CannotSucceed"/> may be asked for an attempt under <paramref name="strategies"/>: they are
    /// among the registered ones, and building the victim list would have no effect beyond the attempt.
    /// </summary>
    public bool Applies(IReadOnlyList<IPreemptionStrategy> strategies)
    {
        for (var i = 0; i < strategies.Count; i++)
        {
            if (!PreemptionStrategies.All.Contains(strategies[i]))
            {
                return false;
            }
        }

        return _applies ??= s.QueueArray.All(q => q.MinRuntime <= TimeSpan.Zero && q.DisruptionBudget is null);
    }

    /// <summary>True when the preemption of <paramref name="context"/> certainly finds no candidate or not enough GPU.</summary>
    public bool CannotSucceed(PreemptionContext context)
    {
        var (q, f, policy) = (context.Queue, context.Flavor, context.Policy);
        var candidates = 0;
        var freeable = s.FlavorFreeGpu[f];
        if (policy.WithinQueue != WithinQueuePreemption.Never)
        {
            var (count, gpu) = OwnBelow(context);
            candidates += count;
            freeable += gpu;
        }

        var root = s.Quotas.RootOf(q);
        if (root != q && (Reclaims(context) || policy.FairShare))
        {
            for (var vq = 0; vq < s.QueueArray.Length; vq++)
            {
                var pool = s.Store.Victims.Of(f, vq);
                if (vq == q || pool.Count == 0 || s.Quotas.RootOf(vq) != root || !s.Quotas.IsBorrowing(vq, f))
                {
                    continue;
                }

                if (MayGive(context, vq))
                {
                    candidates += pool.Count;
                    freeable += pool.GpuMilli;
                }
            }
        }

        return candidates == 0 || freeable < context.Request.GpuMilli;
    }

    /// <summary>
    /// Whether some strategy could take a workload of queue <paramref name="vq"/> (another queue of the preemptor's
    /// cohort tree that borrows in the flavor): reclaim could, or fair share could (the preemptor's share after
    /// admission below the queue's current share, which removing a victim never raises). False means no candidate of
    /// that queue would be allowed, so the search need not read them.
    /// </summary>
    public bool MayGive(PreemptionContext context, int vq) =>
        Reclaims(context) || (context.Policy.FairShare && context.ShareAfterAdmission < s.Quotas.Share(vq, context.Flavor, default(Resources)));

    /// <summary>
    /// True when reclaim, or fair share's within-nominal rule, could allow any victim of another borrowing queue.
    /// </summary>
    private static bool Reclaims(PreemptionContext context) =>
        context.WithinNominal && (context.Policy.Reclaim != ReclaimPolicy.Never || context.Policy.FairShare);

    /// <summary>
    /// Whether within-queue preemption could take a workload of the preemptor's own queue: its policy allows it and
    /// the queue holds a preemptible workload of lower (or, where the policy says so, equal) priority in the flavor.
    /// </summary>
    public bool MayTakeOwn(PreemptionContext context) =>
        context.Policy.WithinQueue != WithinQueuePreemption.Never && OwnBelow(context).Count > 0;

    /// <summary>The preemptible workloads of the preemptor's queue and flavor that within-queue preemption could take at most: how many, and their GPU.</summary>
    private (int Count, long GpuMilli) OwnBelow(PreemptionContext context) =>
        s.Store.Victims.Of(context.Flavor, context.Queue).Below(context.Preemptor.Workload.Priority, orEqual: context.Policy.WithinQueue == WithinQueuePreemption.LowerOrNewerEqualPriority);
}
