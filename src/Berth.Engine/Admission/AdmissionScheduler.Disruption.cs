namespace Berth.Engine.Admission;

// Disruption budgets: a queue may cap how many of its running workloads others' preemption, reclaim
// and consolidation evict within a rolling window.
public sealed partial class AdmissionScheduler
{
    private Queue<TimeSpan>[]? _disruptions;

    /// <summary>How many more of queue <paramref name="q"/>'s workloads may be disrupted now (int.MaxValue: no budget).</summary>
    private int DisruptionsLeft(int q, TimeSpan now)
    {
        if (_queues[q].DisruptionBudget is not { } budget)
        {
            return int.MaxValue;
        }

        _disruptions ??= _queues.Select(_ => new Queue<TimeSpan>()).ToArray();
        var recent = _disruptions[q];
        while (recent.Count > 0 && recent.Peek() <= now - _queues[q].DisruptionWindow)
        {
            recent.Dequeue();
        }

        if (recent.Count >= budget)
        {
            // Spent: try again when the oldest disruption leaves the window.
            var again = recent.Peek() + _queues[q].DisruptionWindow;
            _retryAt = again < _retryAt ? again : _retryAt;
        }

        return Math.Max(0, budget - recent.Count);
    }

    private void RecordDisruption(int q, TimeSpan now)
    {
        if (_queues[q].DisruptionBudget is not null)
        {
            _disruptions ??= _queues.Select(_ => new Queue<TimeSpan>()).ToArray();
            _disruptions[q].Enqueue(now);
            _admittedVersion++;
        }
    }

    /// <summary>
    /// Puts back disruptions of queue <paramref name="queue"/> recorded elsewhere (a controller that builds a fresh
    /// scheduler per decision keeps them on the queue's status), as offsets from this scheduler's start; those
    /// older than the queue's window are dropped. Nothing happens for a queue without a disruption budget.
    /// </summary>
    public void RestoreDisruptions(string queue, IEnumerable<TimeSpan> at)
    {
        ArgumentNullException.ThrowIfNull(at);
        if (!_queueIndex.TryGetValue(queue, out var q))
        {
            throw new ArgumentException($"queue '{queue}' does not exist", nameof(queue));
        }

        if (_queues[q].DisruptionBudget is null)
        {
            return;
        }

        _disruptions ??= _queues.Select(_ => new Queue<TimeSpan>()).ToArray();
        var now = Now;
        foreach (var time in at.Where(t => t > now - _queues[q].DisruptionWindow && t <= now).Order())
        {
            _disruptions[q].Enqueue(time);
        }

        _admittedVersion++;
    }

    /// <summary>The disruptions of queue <paramref name="queue"/> still inside its window now, oldest first (empty without a budget).</summary>
    public IReadOnlyList<TimeSpan> RecentDisruptions(string queue)
    {
        if (!_queueIndex.TryGetValue(queue, out var q) || _queues[q].DisruptionBudget is null || _disruptions is null)
        {
            return [];
        }

        var now = Now;
        return _disruptions[q].Where(t => t > now - _queues[q].DisruptionWindow).ToArray();
    }
}
