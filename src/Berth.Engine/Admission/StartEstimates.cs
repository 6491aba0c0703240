using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Expected start times (Slurm's <c>squeue --start</c>) for the scheduler: a what-if run of the future from what is
/// known now, inside the statement and rolled back, so it changes nothing (see
/// <see cref="AdmissionScheduler.EstimateStarts"/> for what it assumes).
/// </summary>
internal sealed class StartEstimates(AdmissionScheduler s)
{
    /// <summary>The expected start of every pending workload that gets one within <paramref name="steps"/> future ends.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Run(int steps)
    {
        var now = s.Now;
        var checkpoint = s.Statement.Checkpoint();
        var reservation = s.CurrentReservation;
        s.CurrentReservation = null;
        s.Gangs.WhatIf = true;
        var result = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        try
        {
            var ends = new PriorityQueue<(PodPlacement[] Pods, int Queue, int Flavor, Resources Usage), (TimeSpan, long)>();
            long sequence = 0;
            foreach (var w in s.Store.Known.Where(w => w.Phase == WorkloadPhase.Admitted).OrderBy(w => w.Sequence))
            {
                if ((w.Workload.ExpectedRunTime ?? w.Workload.MaxRunTime) is { } run)
                {
                    ends.Enqueue(([.. w.Placements], w.QueueIndex, w.Flavor, w.Usage), (w.AdmittedAt + run, sequence++));
                }
            }

            var pending = s.Store.Known
                .Where(w => w.Phase == WorkloadPhase.Pending && w.Placements.Count == 0 && s.Queues[w.QueueIndex].Stop == StopPolicy.None)
                .OrderBy(w => w, QueueOrder.Instance)
                .ToList();
            var t = now;
            for (var step = 0; step <= steps && pending.Count > 0; step++)
            {
                var blocked = new HashSet<int>();
                for (var i = 0; i < pending.Count; i++)
                {
                    var w = pending[i];
                    var strict = (s.Options.StrategyOverride ?? s.Queues[w.QueueIndex].Strategy) == QueueingStrategy.StrictFifo;
                    if ((strict && blocked.Contains(w.QueueIndex)) || w.BackoffUntil > t)
                    {
                        blocked.Add(w.QueueIndex);
                        continue;
                    }

                    var started = false;
                    foreach (var f in s.FlavorsOf(w.QueueIndex))
                    {
                        var request = w.RequestOf(w.Counts);
                        if (!s.CouldEverFit(w, f) || !s.QuotaFits(w.QueueIndex, f, request, w.Workload.Preemptible) || !s.Gangs.TryQuietly(w, f, w.Counts, t, keep: true))
                        {
                            continue;
                        }

                        s.Statement.AddUsage(w.QueueIndex, f, request);
                        result[w.Id] = t;
                        if (w.Workload.ExpectedRunTime is { } run)
                        {
                            ends.Enqueue(([.. s.Scratch], w.QueueIndex, f, request), (t + run, sequence++));
                        }

                        s.Scratch.Clear();
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
            s.Statement.RollbackTo(checkpoint);
            s.Gangs.WhatIf = false;
            s.CurrentReservation = reservation;
            s.Scratch.Clear();
        }

        return result;
    }

    /// <summary>A workload of the estimate ends: its pods and usage leave the statement.</summary>
    private void Release((PodPlacement[] Pods, int Queue, int Flavor, Resources Usage) item)
    {
        foreach (var p in item.Pods)
        {
            s.Statement.Release(p.Pod, p.Node, p.GpuMask);
        }

        s.Statement.AddUsage(item.Queue, item.Flavor, default(Resources) - item.Usage);
    }
}
