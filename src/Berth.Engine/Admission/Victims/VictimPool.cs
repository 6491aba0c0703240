namespace Berth.Engine.Admission.Victims;

/// <summary>
/// Every preemptible admitted workload, by flavor and queue (<see cref="QueueVictims"/>), kept by the steps that
/// admit, end, evict, restore and move workloads: a preemption attempt reads the few queues it may take from instead
/// of a pass over every running workload. Workloads that are not preemptible are never here.
/// </summary>
internal sealed class VictimPool
{
    private readonly QueueVictims[][] _byFlavor;

    public VictimPool(int flavors, int queues)
    {
        _byFlavor = new QueueVictims[flavors][];
        for (var f = 0; f < flavors; f++)
        {
            _byFlavor[f] = new QueueVictims[queues];
            for (var q = 0; q < queues; q++)
            {
                _byFlavor[f][q] = new QueueVictims();
            }
        }
    }

    public QueueVictims Of(int flavor, int queue) => _byFlavor[flavor][queue];

    /// <summary>Call once <paramref name="w"/> is admitted (flavor, usage and start time set).</summary>
    public void Started(WorkloadState w)
    {
        if (w.Workload.Preemptible)
        {
            _byFlavor[w.Flavor][w.QueueIndex].Add(w);
        }
    }

    /// <summary>Call while <paramref name="w"/> is still admitted (flavor, usage and start time as when it started).</summary>
    public void Stopped(WorkloadState w)
    {
        if (w.Workload.Preemptible)
        {
            _byFlavor[w.Flavor][w.QueueIndex].Remove(w);
        }
    }
}
