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
}
