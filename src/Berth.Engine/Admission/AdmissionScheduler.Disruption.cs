namespace Berth.Engine.Admission;

// Disruption budgets (DisruptionBudgets): the scheduler's side, which retries when a spent budget frees up and
// refreshes the victim lists when a disruption is recorded.
public sealed partial class AdmissionScheduler
{
    private DisruptionBudgets? _budgets;

    private DisruptionBudgets Budgets => _budgets ??= new DisruptionBudgets(_queues);

    /// <summary>How many more of queue <paramref name="q"/>'s workloads may be disrupted now (int.MaxValue: no budget).</summary>
    internal int DisruptionsLeft(int q, TimeSpan now)
    {
        var left = Budgets.Left(q, now, out var again);
        _retryAt = again is { } a && a < _retryAt ? a : _retryAt;
        return left;
    }

    internal void RecordDisruption(int q, TimeSpan now) => _admittedVersion += Budgets.Record(q, now) ? 1 : 0;

    /// <summary>
    /// Puts back disruptions of queue <paramref name="queue"/> recorded elsewhere (a controller that builds a fresh
    /// scheduler per decision keeps them on the queue's status), as offsets from this scheduler's start; those
    /// older than the queue's window are dropped. Nothing happens for a queue without a disruption budget.
    /// </summary>
    public void RestoreDisruptions(string queue, IEnumerable<TimeSpan> at)
    {
        ArgumentNullException.ThrowIfNull(at);
        var q = Store.QueueIndexOf(queue) is >= 0 and var index ? index : throw new ArgumentException($"queue '{queue}' does not exist", nameof(queue));
        _admittedVersion += Budgets.Restore(q, at, Now) ? 1 : 0;
    }

    /// <summary>The disruptions of queue <paramref name="queue"/> still inside its window now, oldest first (empty without a budget).</summary>
    public IReadOnlyList<TimeSpan> RecentDisruptions(string queue) => Store.QueueIndexOf(queue) is >= 0 and var q ? Budgets.Recent(q, Now) : [];
}
