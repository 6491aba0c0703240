using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

// Expected start times (Slurm's `squeue --start`): a what-if run of the future from what is known now.
public sealed partial class AdmissionScheduler
{
    /// <summary>
    /// The expected start of every pending workload for which one can be computed, from a what-if run
    /// that changes nothing: running workloads end at their expected end (admission + expected run time,
    /// else max run time; without either they never end in the what-if); at now and at each such end, the
    /// pending workloads are admitted in queue order (priority, submit time; a StrictFIFO queue in strict
    /// order; held queues and backoff left out) where quota and a whole-gang placement allow, and those then
    /// end at their own expected end. No arrivals and no preemption are assumed, so an estimate is what the
    /// current state promises, not a guarantee. Workloads that never fit in the what-if get no estimate.
    /// At most <paramref name="steps"/> future ends are visited.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> EstimateStarts(int steps = 10_000)
    {
        var now = Now;
        var checkpoint = _statement.Checkpoint();
        var reservation = _reservation.Current;
        _reservation.Current = null;
        _gangs.WhatIf = true;
        var result = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        try
        {
            var ends = new PriorityQueue<(PodPlacement[] Pods, int Queue, int Flavor, Resources Usage), (TimeSpan, long)>();
            long sequence = 0;
            foreach (var w in _workloads.Values.Where(w => w.Phase == WorkloadPhase.Admitted).OrderBy(w => w.Sequence))
            {
                if ((w.Workload.ExpectedRunTime ?? w.Workload.MaxRunTime) is { } run)
                {
                    ends.Enqueue(([.. w.Placements], w.QueueIndex, w.Flavor, w.Usage), (w.AdmittedAt + run, sequence++));
                }
            }

            var pending = _workloads.Values
                .Where(w => w.Phase == WorkloadPhase.Pending && w.Placements.Count == 0 && _queues[w.QueueIndex].Stop == StopPolicy.None)
                .OrderBy(w => w, QueueOrder.Instance)
                .ToList();
            var t = now;
            for (var step = 0; step <= steps && pending.Count > 0; step++)
            {
                var blocked = new HashSet<int>();
                for (var i = 0; i < pending.Count; i++)
                {
                    var w = pending[i];
                    var strict = (Options.StrategyOverride ?? _queues[w.QueueIndex].Strategy) == QueueingStrategy.StrictFifo;
                    if ((strict && blocked.Contains(w.QueueIndex)) || w.BackoffUntil > t)
                    {
                        blocked.Add(w.QueueIndex);
                        continue;
                    }

                    var started = false;
                    foreach (var f in _queueFlavors[w.QueueIndex])
                    {
                        var request = RequestOf(w, w.Counts);
                        if (!CouldEverFit(w, f) || QuotaCheck(w.QueueIndex, f, request, w.Workload.Preemptible) is not null || !TryPlaceGang(w, f, w.Counts, t, keep: true, out _))
                        {
                            continue;
                        }

                        _statement.AddUsage(w.QueueIndex, f, request);
                        result[w.Id] = t;
                        if (w.Workload.ExpectedRunTime is { } run)
                        {
                            ends.Enqueue(([.. _scratch], w.QueueIndex, f, request), (t + run, sequence++));
                        }

                        _scratch.Clear();
                        started = true;
                        break;
                    }

                    if (started)
                    {
                        pending.RemoveAt(i--);
                    }
                    else
                    {
                        blocked.Add(w.QueueIndex);
                    }
                }

                if (!ends.TryDequeue(out var ended, out var key))
                {
                    break;
                }

                t = key.Item1;
                Release(ended);
                while (ends.TryPeek(out _, out var next) && next.Item1 == t)
                {
                    Release(ends.Dequeue());
                }
            }
        }
        finally
        {
            _statement.RollbackTo(checkpoint);
            _gangs.WhatIf = false;
            _reservation.Current = reservation;
            _scratch.Clear();
        }

        return result;
    }

    /// <summary>A workload of the estimate ends: its pods and usage leave the statement.</summary>
    private void Release((PodPlacement[] Pods, int Queue, int Flavor, Resources Usage) item)
    {
        foreach (var p in item.Pods)
        {
            _statement.Release(p.Pod, p.Node, p.GpuMask);
        }

        _statement.AddUsage(item.Queue, item.Flavor, default(Resources) - item.Usage);
    }
}
