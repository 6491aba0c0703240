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
/// is removed, which is never higher). Used only where skipping the victim list changes nothing else: the three
/// registered strategies, and no queue with a minimum runtime or a disruption budget (building the list reads those
/// and moves the next retry time).
/// </summary>
internal sealed class PreemptionBound(AdmissionScheduler s)
{
    private bool? _applies;

    /// <summary>True when <see cref="CannotSucceed"/> may be asked: building the victim list would have no effect beyond the attempt.</summary>
    public bool Applies => ReferenceEquals(s.Strategies, PreemptionStrategies.All) && (_applies ??= s.QueueArray.All(q => q.MinRuntime <= TimeSpan.Zero && q.DisruptionBudget is null));

    /// <summary>True when the preemption of <paramref name="context"/> certainly finds no candidate or not enough GPU.</summary>
    public bool CannotSucceed(PreemptionContext context)
    {
        var (q, f, policy) = (context.Queue, context.Flavor, context.Policy);
        var priority = context.Preemptor.Workload.Priority;
        var candidates = 0;
        var freeable = s.FlavorFreeGpu[f];
        if (policy.WithinQueue != WithinQueuePreemption.Never)
        {
            var (count, gpu) = s.Store.Victims.Of(f, q).Below(priority, orEqual: policy.WithinQueue == WithinQueuePreemption.LowerOrNewerEqualPriority);
            candidates += count;
            freeable += gpu;
        }

        var root = s.Quotas.RootOf(q);
        var reclaims = context.WithinNominal && (policy.Reclaim != ReclaimPolicy.Never || policy.FairShare);
        if (root != q && (reclaims || policy.FairShare))
        {
            for (var vq = 0; vq < s.QueueArray.Length; vq++)
            {
                var pool = s.Store.Victims.Of(f, vq);
                if (vq == q || pool.Count == 0 || s.Quotas.RootOf(vq) != root || !s.Quotas.IsBorrowing(vq, f))
                {
                    continue;
                }

                if (reclaims || context.ShareAfterAdmission < s.Quotas.Share(vq, f, default(Resources)))
                {
                    candidates += pool.Count;
                    freeable += pool.GpuMilli;
                }
            }
        }

        return candidates == 0 || freeable < context.Request.GpuMilli;
    }
}
