namespace Berth.Engine.Admission.Actions.Allocate;

/// <summary>
/// The <c>kube-default</c> profile's allocation: what plain Kubernetes does with a job's pods. No gangs and no
/// quotas: each pod is placed on its own as soon as it fits, and the job starts only when all of its pods are
/// placed. The pods placed meanwhile hold their GPUs idle (<see cref="HeldIdleGpuMilli"/>), and two partly placed
/// jobs can hold each other up for good. Berth models this to measure it, not to recommend it.
/// </summary>
internal sealed class PodByPodPlacement(AdmissionScheduler s)
{
    private readonly long[] _heldIdleByQueue = new long[s.QueueArray.Length];

    /// <summary>GPU milli held by pods of workloads that are not all placed: held idle.</summary>
    public long HeldIdleGpuMilli { get; private set; }

    /// <summary>As <see cref="HeldIdleGpuMilli"/>, for queue <paramref name="q"/>.</summary>
    public long HeldIdleOf(int q) => _heldIdleByQueue[q];

    /// <summary>Places as many of the workload's remaining pods as fit; true when the last one is placed (it starts).</summary>
    public bool TryPlace(WorkloadState w, TimeSpan now)
    {
        // Pick a flavor once (the first of its queue that could ever hold it) and stay there.
        if (w.Flavor < 0)
        {
            w.Flavor = s.FlavorsOf(w.QueueIndex).FirstOrDefault(f => s.CouldEverFit(w, f), -1);
            if (w.Flavor < 0)
            {
                s.SetReason(w, new PendingReason(PendingReasonCode.NeverFits, "no flavor of its queue can ever hold it"));
                return false;
            }
        }

        var f = w.Flavor;
        var pods = s.PodsFor(w, f);
        var counts = w.Counts;
        var placedPerSet = new int[counts.Length];
        foreach (var p in w.Placements)
        {
            placedPerSet[p.PodSet]++;
        }

        var total = counts.Sum();
        for (var set = 0; set < counts.Length; set++)
        {
            while (placedPerSet[set] < counts[set])
            {
                // kube-scheduler spreads the pods of a Deployment or StatefulSet by default (its system default
                // topology spread constraints, ScheduleAnyway on hostname and zone): serving replicas spread here too.
                var result = w.Workload.IsServing ? s.Spread.Place(s.Placer, pods[set], s.NodesOf(f), uncounted: false) : s.Placer.Place(pods[set], s.NodesOf(f));
                if (!result.Placed)
                {
                    var diagnosis = result.Diagnosis?.ToString() ?? "no node fits";
                    s.SetReason(w, w.Placements.Count == 0
                        ? new PendingReason(PendingReasonCode.NoNodeFits, $"no node fits a pod of {pods[set].Name}: {diagnosis}") { Flavor = s.Flavors[f].Name }
                        : new PendingReason(PendingReasonCode.GangIncomplete, $"{w.Placements.Count} of {total} pods placed; they hold their GPUs while the rest wait ({diagnosis})") { Flavor = s.Flavors[f].Name, Requested = total, Available = w.Placements.Count });
                    return false;
                }

                s.AfterReserve(pods[set], result.NodeIndex);
                w.Placements.Add(new PodPlacement(set, pods[set], result.NodeIndex, result.GpuMask));
                HeldIdleGpuMilli += pods[set].GpuDemandMilli;
                _heldIdleByQueue[w.QueueIndex] += pods[set].GpuDemandMilli;
                placedPerSet[set]++;
            }
        }

        // Every pod is placed: the job starts.
        foreach (var p in w.Placements)
        {
            HeldIdleGpuMilli -= p.Pod.GpuDemandMilli;
            _heldIdleByQueue[w.QueueIndex] -= p.Pod.GpuDemandMilli;
        }

        s.Scratch.Clear();
        s.Scratch.AddRange(w.Placements);
        s.Statement.Commit();
        s.Admit(w, f, counts, now);
        s.Statement.Commit();
        return true;
    }

    /// <summary>Frees the pods a pending workload holds (a partly placed job that is withdrawn).</summary>
    public void ReleasePartial(WorkloadState w)
    {
        foreach (var p in w.Placements)
        {
            s.ReleasePod(p.Pod, p.Node, p.GpuMask);
            HeldIdleGpuMilli -= p.Pod.GpuDemandMilli;
            _heldIdleByQueue[w.QueueIndex] -= p.Pod.GpuDemandMilli;
        }

        if (w.Placements.Count > 0)
        {
            s.CapacityFreed();
        }

        w.Placements.Clear();
        w.Flavor = -1;
    }
}
