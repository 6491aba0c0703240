namespace Berth.Engine.Admission;

/// <summary>
/// Usage-history fair sharing (<see cref="Model.Queueing.QueueConfiguration.UsageHalfLife"/>): a queue that borrowed
/// a lot recently yields, in the fair-share order of heads, to one that did not; the effect halves with every
/// half-life. Kept exactly, with no sampling: folded in at each change of a queue's share.
/// </summary>
internal sealed class QueueUsageHistory(QuotaTree quotas, TimeSpan? halfLife, int queues)
{
    private readonly double[] _history = new double[queues]; // h(q) at _historyAt[q]
    private readonly double[] _historyShare = new double[queues]; // the share queue q has held since _historyAt[q]
    private readonly TimeSpan[] _historyAt = new TimeSpan[queues];

    /// <summary>
    /// What fair-share ordering adds to a head's share after admission: h(q), or 0 when the setting is off or
    /// h(q) is below <see cref="AdmissionScheduler.NegligibleUsageHistory"/>. Preemption never uses it: its fair-share rule compares
    /// current shares only, so that the history cannot make two queues take capacity from each other in turns.
    /// </summary>
    public double Term(int q, TimeSpan now)
    {
        var h = At(q, now);
        return h >= AdmissionScheduler.NegligibleUsageHistory ? h : 0;
    }

    /// <summary>
    /// The usage history h(q) of queue <paramref name="q"/> at <paramref name="now"/>: the exponentially weighted average of its
    /// past weighted dominant-resource share s(q) (<see cref="QuotaTree.Share"/> of its admitted usage: usage
    /// above nominal over the tree's quota, divided by the weight), with half-life T =
    /// <see cref="Model.Queueing.QueueConfiguration.UsageHalfLife"/>:
    /// h(t) = integral over u &lt;= t of s(u) * (ln 2 / T) * 2^(-(t - u) / T) du, with s = 0 before the scheduler
    /// was built. s changes only when the queue's usage does, so h is kept exactly, with no sampling: at each
    /// change, h = h * 2^(-d / T) + s * (1 - 2^(-d / T)) for the time d the old share was held. A queue that held
    /// share s for long has h close to s; once it holds 0, h halves every T. h is a function of the times and
    /// amounts of usage changes only (not of how often the scheduler is called), so replays are deterministic.
    /// Always 0 when the setting is off, and for a queue outside any cohort (it never borrows).
    /// </summary>
    public double At(int q, TimeSpan now)
    {
        if (halfLife is not { } life)
        {
            return 0;
        }

        var held = now - _historyAt[q];
        if (held <= TimeSpan.Zero)
        {
            return _history[q];
        }

        var keep = Math.Pow(0.5, (double)held.Ticks / life.Ticks);
        return (_history[q] * keep) + (_historyShare[q] * (1 - keep));
    }

    /// <summary>
    /// Folds the time since the last change into the history of every queue whose share has changed, and
    /// starts its new share from now. Called after every public operation that can change usage (all changes
    /// of one operation happen at the same instant), so each recorded share is the one held since its time.
    /// </summary>
    public void Record(TimeSpan now)
    {
        if (halfLife is null)
        {
            return;
        }

        for (var q = 0; q < _history.Length; q++)
        {
            var share = quotas.Share(q);
            if (share.Equals(_historyShare[q]))
            {
                continue; // unchanged: folding now or later gives the same history
            }

            _history[q] = At(q, now);
            _historyShare[q] = share;
            _historyAt[q] = now;
        }
    }
}
