using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Whether a request fits a queue's quota in a flavor now, with borrowing (Kueue's quota check), and if not, why
/// in words that name the limit and what would lift it. Non-preemptible work must stay within the nominal quota
/// (<see cref="NonPreemptibleQuota"/>). With the <c>kube-default</c> profile (no gangs) there are no quotas.
/// </summary>
internal sealed class QuotaFit(AdmissionScheduler s)
{
    /// <summary>Null when the request fits the queue's quota in the flavor now (non-preemptible work: its nominal quota); otherwise why not.</summary>
    public PendingReason? Check(int q, int f, Resources request, bool preemptible)
    {
        if (!s.Options.Gangs)
        {
            return null;
        }

        if (s.Quotas.DeviceOverflow(q, f, request) is var (device, nominal, usage, needed))
        {
            var left = Math.Max(0, nominal - usage);
            return new PendingReason(PendingReasonCode.QuotaExceeded, $"queue {s.QueueArray[q].Name} has {left} of its {device} quota left in flavor {s.Flavors[f].Name} (nominal {nominal}, not borrowed); it needs {needed}")
            {
                Flavor = s.Flavors[f].Name,
                Requested = needed,
                Available = left,
                Unblock = $"{needed - left} {device} of queue {s.QueueArray[q].Name}'s quota frees, or a higher {device} quota",
            };
        }

        for (var k = 0; k < Resources.KindCount; k++)
        {
            var kind = (ResourceKind)k;
            var amount = request[kind];
            if (amount <= 0 || !s.Quotas.IsLimited(q, f, kind))
            {
                continue;
            }

            var available = s.Quotas.Available(q, f, kind);
            if (amount <= available)
            {
                continue;
            }

            // A head that waits is checked again on every try: the words are written only if someone reads them.
            return Explain(q, f, kind, amount, available, limited: amount <= s.Quotas.AvailableIgnoringBorrowingLimit(q, f, kind));
        }

        return preemptible ? null : NonPreemptibleQuota.Check(s.Quotas, q, f, request, s.QueueArray[q].Name, s.Flavors[f].Name);
    }

    private PendingReason Explain(int q, int f, ResourceKind kind, long amount, long available, bool limited)
    {
        var name = s.QueueArray[q].Name;
        var flavor = s.Flavors[f].Name;
        if (limited)
        {
            var limit = s.Quotas.BorrowingLimit(q, f, kind) ?? 0;
            return new PendingReason(PendingReasonCode.BorrowingLimitReached, () => new PendingReason.Words(
                $"queue {name} may take {Resources.Format(kind, available)} more in flavor {flavor} (borrowing limit {Resources.Format(kind, limit)}); it needs {Resources.Format(kind, amount)}",
                $"queue {name}'s own workloads finish, or a higher borrowing limit"))
            {
                Flavor = flavor,
                Resource = kind,
                Requested = amount,
                Available = available,
            };
        }

        var nominal = s.Quotas.Nominal(q, f, kind);
        return new PendingReason(PendingReasonCode.QuotaExceeded, () => new PendingReason.Words(
            $"queue {name} has {Resources.Format(kind, available)} of quota left in flavor {flavor} (nominal {Resources.Format(kind, nominal)}, borrowing included); it needs {Resources.Format(kind, amount)}",
            $"{Resources.Format(kind, amount - available)} of quota frees in queue {name} or its cohort"))
        {
            Flavor = flavor,
            Resource = kind,
            Requested = amount,
            Available = available,
        };
    }

    /// <summary>
    /// True exactly when <see cref="Check"/> gives null, without words: the quota tree's own test (device quotas,
    /// then every limited resource with borrowing), and non-preemptible work within its nominal quota. A head that
    /// waits is checked in every flavor on every try, and most tries fail; their reasons are built only when kept.
    /// </summary>
    public bool Fits(int q, int f, Resources request, bool preemptible) =>
        !s.Options.Gangs || (s.Quotas.Fits(q, f, request) && (preemptible || !Borrows(q, f, request)));

    /// <summary>True when admitting <paramref name="request"/> would take queue <paramref name="q"/> past its nominal quota in flavor <paramref name="f"/> in some limited resource.</summary>
    public bool Borrows(int q, int f, Resources request)
    {
        for (var k = 0; k < Resources.KindCount; k++)
        {
            var kind = (ResourceKind)k;
            if (request[kind] > 0 && s.Quotas.IsLimited(q, f, kind) && s.Quotas.Usage(q, f, kind) + request[kind] > s.Quotas.Nominal(q, f, kind))
            {
                return true;
            }
        }

        return false;
    }
}
