using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Disruption budgets: a queue may cap how many of its running workloads others' preemption, reclaim and
/// consolidation evict within a rolling window. Keeps, per queue with a budget, the times of its recent
/// disruptions; reads the queues' array live (a stop-policy change replaces a queue in place).
/// </summary>
internal sealed class DisruptionBudgets(Model.Queueing.Queue[] queues)
{
    private readonly Queue<TimeSpan>[] _times = queues.Select(_ => new Queue<TimeSpan>()).ToArray();

    /// <summary>
    /// How many more of queue <paramref name="q"/>'s workloads may be disrupted now (int.MaxValue: no budget);
    /// when spent, <paramref name="retryAt"/> is when the oldest disruption leaves the window.
    /// </summary>
    public int Left(int q, TimeSpan now, out TimeSpan? retryAt)
    {
        retryAt = null;
        if (queues[q].DisruptionBudget is not { } budget)
        {
            return int.MaxValue;
        }

        var recent = _times[q];
        while (recent.Count > 0 && recent.Peek() <= now - queues[q].DisruptionWindow)
        {
            recent.Dequeue();
        }

        if (recent.Count >= budget)
        {
            retryAt = recent.Peek() + queues[q].DisruptionWindow;
        }

        return Math.Max(0, budget - recent.Count);
    }

    /// <summary>Records a disruption of queue <paramref name="q"/> at <paramref name="now"/>; false when it has no budget (nothing kept).</summary>
    public bool Record(int q, TimeSpan now)
    {
        if (queues[q].DisruptionBudget is null)
        {
            return false;
        }

        _times[q].Enqueue(now);
        return true;
    }

    /// <summary>Puts back disruptions recorded elsewhere, dropping those outside the window; false when the queue has no budget.</summary>
    public bool Restore(int q, IEnumerable<TimeSpan> at, TimeSpan now)
    {
        if (queues[q].DisruptionBudget is null)
        {
            return false;
        }

        foreach (var time in at.Where(t => t > now - queues[q].DisruptionWindow && t <= now).Order())
        {
            _times[q].Enqueue(time);
        }

        return true;
    }

    /// <summary>The disruptions of queue <paramref name="q"/> still inside its window, oldest first (empty without a budget).</summary>
    public IReadOnlyList<TimeSpan> Recent(int q, TimeSpan now) =>
        queues[q].DisruptionBudget is null ? [] : _times[q].Where(t => t > now - queues[q].DisruptionWindow).ToArray();
}
