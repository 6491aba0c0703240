using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Non-preemptible work runs only within its queue's nominal quota, as in Run:ai and KAI: borrowed quota is
/// reclaimable, and a workload that can never be evicted would otherwise keep it from its owner for as long as it
/// runs (labelling work non-preemptible would then be a way to hold on to borrowed quota).
/// </summary>
internal static class NonPreemptibleQuota
{
    /// <summary>Null when the request fits what is left of the queue's nominal quota in the flavor; otherwise why not.</summary>
    public static PendingReason? Check(QuotaTree quotas, int q, int f, Resources request, string queue, string flavor)
    {
        for (var k = 0; k < Resources.KindCount; k++)
        {
            var kind = (ResourceKind)k;
            var amount = request[kind];
            if (amount <= 0 || !quotas.IsLimited(q, f, kind))
            {
                continue;
            }

            var nominal = quotas.Nominal(q, f, kind);
            var left = Math.Max(0, nominal - quotas.Usage(q, f, kind));
            if (amount <= left)
            {
                continue;
            }

            return new PendingReason(PendingReasonCode.QuotaExceeded, $"non-preemptible work runs only within the queue's nominal quota: queue {queue} has {Resources.Format(kind, left)} of its nominal {Resources.Format(kind, nominal)} left in flavor {flavor}; it needs {Resources.Format(kind, amount)} and may not borrow")
            {
                Flavor = flavor,
                Resource = kind,
                Requested = amount,
                Available = left,
                Unblock = $"queue {queue}'s own workloads finish; or mark the workload preemptible (it may then borrow), or raise queue {queue}'s nominal quota",
            };
        }

        return null;
    }

    /// <summary>Null when the request (at its minimum counts) fits the queue's nominal quota on an empty cluster; otherwise why it never will.</summary>
    public static string? NeverFits(QuotaTree quotas, int q, int f, Resources request, string queue, string flavor)
    {
        for (var k = 0; k < Resources.KindCount; k++)
        {
            var kind = (ResourceKind)k;
            if (request[kind] > 0 && quotas.IsLimited(q, f, kind) && request[kind] > quotas.Nominal(q, f, kind))
            {
                return $"it is non-preemptible and needs {Resources.Format(kind, request[kind])} in flavor {flavor}, more than queue {queue}'s nominal quota there ({Resources.Format(kind, quotas.Nominal(q, f, kind))}); non-preemptible work runs only within the queue's nominal quota: mark it preemptible, or raise the nominal quota";
            }
        }

        return null;
    }
}
