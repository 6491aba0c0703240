namespace Berth.Engine.Admission;

// The `kube-default` profile: what plain Kubernetes does with a job's pods. No gangs and no quotas:
// each pod is placed on its own as soon as it fits, and the job starts only when all of its pods are
// placed. The pods placed meanwhile hold their GPUs idle, and two partly placed jobs can hold each other
// up for good. Berth models this to measure it, not to recommend it.
public sealed partial class AdmissionScheduler
{
    private void CollectPodByPod(TimeSpan now, List<WorkloadState> into) => CollectHeads(now, into);

    /// <summary>Places as many of the workload's remaining pods as fit; true when the last one is placed (it starts).</summary>
    private bool TryPlacePodByPod(WorkloadState w, TimeSpan now)
    {
        // Pick a flavor once (the first of its queue that could ever hold it) and stay there.
        if (w.Flavor < 0)
        {
            w.Flavor = _queueFlavors[w.QueueIndex].FirstOrDefault(f => CouldEverFit(w, f), -1);
            if (w.Flavor < 0)
            {
                SetReason(w, new PendingReason(PendingReasonCode.NeverFits, "no flavor of its queue can ever hold it"));
                return false;
            }
        }

        var f = w.Flavor;
        var pods = PodsFor(w, f);
        var counts = w.Counts;
        var placedPerSet = new int[counts.Length];
        foreach (var p in w.Placements)
        {
            placedPerSet[p.PodSet]++;
        }

        var total = counts.Sum();
        for (var s = 0; s < counts.Length; s++)
        {
            while (placedPerSet[s] < counts[s])
            {
                var result = _placer.Place(pods[s], _flavorNodes[f]);
                if (!result.Placed)
                {
                    var diagnosis = result.Diagnosis?.ToString() ?? "no node fits";
                    SetReason(w, w.Placements.Count == 0
                        ? new PendingReason(PendingReasonCode.NoNodeFits, $"no node fits a pod of {pods[s].Name}: {diagnosis}") { Flavor = _flavors[f].Name }
                        : new PendingReason(PendingReasonCode.GangIncomplete, $"{w.Placements.Count} of {total} pods placed; they hold their GPUs while the rest wait ({diagnosis})") { Flavor = _flavors[f].Name, Requested = total, Available = w.Placements.Count });
                    return false;
                }

                AfterReserve(result.NodeIndex, pods[s].GpuDemandMilli);
                w.Placements.Add(new PodPlacement(s, pods[s], result.NodeIndex, result.GpuMask));
                _heldIdleGpuMilli += pods[s].GpuDemandMilli;
                _heldIdleByQueue[w.QueueIndex] += pods[s].GpuDemandMilli;
                placedPerSet[s]++;
            }
        }

        // Every pod is placed: the job starts.
        foreach (var p in w.Placements)
        {
            _heldIdleGpuMilli -= p.Pod.GpuDemandMilli;
            _heldIdleByQueue[w.QueueIndex] -= p.Pod.GpuDemandMilli;
        }

        _scratch.Clear();
        _scratch.AddRange(w.Placements);
        _statement.Commit();
        Admit(w, f, counts, now);
        _statement.Commit();
        return true;
    }

    /// <summary>Frees the pods a pending workload holds (a partly placed job that is withdrawn).</summary>
    private void ReleasePartial(WorkloadState w)
    {
        foreach (var p in w.Placements)
        {
            ReleasePod(p.Pod, p.Node, p.GpuMask);
            _heldIdleGpuMilli -= p.Pod.GpuDemandMilli;
            _heldIdleByQueue[w.QueueIndex] -= p.Pod.GpuDemandMilli;
        }

        if (w.Placements.Count > 0)
        {
            _generation++;
        }

        w.Placements.Clear();
        w.Flavor = -1;
    }
}
