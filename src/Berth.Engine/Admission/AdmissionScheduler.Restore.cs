using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Rebuilding state from a truth kept elsewhere (a Kubernetes cluster: bound pods and the admission records
/// on Jobs and pod groups). A scheduler that runs inside a cluster builds a fresh engine for every decision
/// from what the API server says, so a restart and a normal cycle take the same path. Nothing here decides:
/// what runs, runs, even past its quota; what does not fit the engine's view is reported, never thrown.
/// </summary>
public sealed partial class AdmissionScheduler
{
    private Dictionary<string, int>? _nodeIndex;

    /// <summary>Index of the node named <paramref name="name"/> in <see cref="Cluster"/>, or -1.</summary>
    public int NodeIndexOf(string name)
    {
        if (_nodeIndex is null)
        {
            _nodeIndex = new Dictionary<string, int>(_cluster.NodeCount, StringComparer.Ordinal);
            for (var n = 0; n < _cluster.NodeCount; n++)
            {
                _nodeIndex[_cluster.Nodes[n].Name] = n;
            }
        }

        return _nodeIndex.GetValueOrDefault(name, -1);
    }

    /// <summary>
    /// Adds a workload that has waited since <paramref name="pendingSince"/> (an offset from this scheduler's
    /// start; negative when it was submitted before): starvation and reservations count from there.
    /// </summary>
    public WorkloadState Submit(Workload workload, TimeSpan pendingSince)
    {
        var state = Submit(workload);
        if (state.Phase == WorkloadPhase.Pending)
        {
            state.PendingSince = pendingSince;
        }

        return state;
    }

    /// <summary>
    /// Takes capacity that no queue is charged for: pods not managed by Berth, and unhealthy GPUs (a pod of
    /// <c>GpuCount</c> whole GPUs on <paramref name="gpuMask"/>). With no mask, GPUs are taken from the
    /// lowest indices that are fully free. Returns false, taking nothing, when the node does not exist or
    /// has not that much free (the caller reports the inconsistency).
    /// </summary>
    public bool Withhold(string node, Pod pod, int? gpuMask = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var n = NodeIndexOf(node);
        if (n < 0)
        {
            return false;
        }

        var mask = gpuMask ?? LowestFreeGpus(n, pod.GpuCount, pod.GpuMilli);
        if (mask < 0 || !Fits(n, pod, mask))
        {
            return false;
        }

        ReservePod(pod, n, mask);
        _statement.Commit();
        _generation++;
        return true;
    }

    /// <summary>
    /// Puts back a workload that is admitted in the truth outside: admitted in <paramref name="flavor"/> since
    /// <paramref name="admittedAt"/>, with <paramref name="counts"/> pods per pod set (default: every pod), its
    /// quota charged for all of them, and the pods in <paramref name="pods"/> allocated where they are. Pods
    /// not listed are charged to quota only until <see cref="PlaceRemaining"/> places them. Pods that do not
    /// fit where they are said to be are left out and returned in <paramref name="misfits"/>.
    /// </summary>
    public WorkloadState Restore(Workload workload, string flavor, IReadOnlyList<RestoredPod> pods, TimeSpan admittedAt, out IReadOnlyList<RestoredPod> misfits, IReadOnlyList<int>? counts = null)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(pods);
        workload.Validate();
        if (!_queueIndex.TryGetValue(workload.Queue, out var queue))
        {
            throw new ArgumentException($"workload {workload.Id}: queue '{workload.Queue}' does not exist", nameof(workload));
        }

        var f = Array.FindIndex(_flavors, x => string.Equals(x.Name, flavor, StringComparison.Ordinal));
        if (f < 0)
        {
            throw new ArgumentException($"workload {workload.Id}: flavor '{flavor}' does not exist", nameof(flavor));
        }

        if (_workloads.ContainsKey(workload.Id))
        {
            throw new ArgumentException($"workload {workload.Id}: already known; workload ids must be unique", nameof(workload));
        }

        var state = new WorkloadState(workload, queue, _sequence++) { PendingSince = workload.SubmitTime };
        _workloads[workload.Id] = state;
        var podCounts = counts?.ToArray() ?? workload.PodSets.Select(s => s.Count).ToArray();
        var templates = PodsFor(state, f);
        var bad = new List<RestoredPod>();
        _scratch.Clear();
        var placedPerSet = new int[podCounts.Length];
        foreach (var p in pods)
        {
            var n = NodeIndexOf(p.Node);
            if (p.PodSet < 0 || p.PodSet >= podCounts.Length || placedPerSet[p.PodSet] >= podCounts[p.PodSet] || n < 0)
            {
                bad.Add(p);
                continue;
            }

            var template = templates[p.PodSet];
            var mask = p.GpuMask == 0 && (template.GpuCount > 0 || template.GpuMilli > 0) ? LowestFreeGpus(n, template.GpuCount, template.GpuMilli) : p.GpuMask;
            if (mask < 0 || !Fits(n, template, mask))
            {
                bad.Add(p);
                continue;
            }

            ReservePod(template, n, mask);
            _scratch.Add(new PodPlacement(p.PodSet, template, n, mask));
            placedPerSet[p.PodSet]++;
        }

        var request = RequestOf(state, podCounts);
        Quotas.Add(queue, f, request);
        _statement.Commit();
        state.Phase = WorkloadPhase.Admitted;
        state.Flavor = f;
        state.Counts = podCounts;
        state.Usage = request;
        state.AdmittedAt = admittedAt;
        state.Placements.AddRange(_scratch);
        _scratch.Clear();
        _admittedByFlavor[f].Add(state);
        _admittedVersion++;
        _generation++;
        misfits = bad;
        return state;
    }

    /// <summary>
    /// Places the pods of an admitted workload that have no place yet (restored with fewer pods than its
    /// counts), all of them or none, on its flavor's nodes. Returns the new placements (also kept in the
    /// workload's <see cref="WorkloadState.Pods"/>), an empty list when nothing was missing, or null when
    /// they do not all fit now.
    /// </summary>
    public IReadOnlyList<PodPlacement>? PlaceRemaining(string id)
    {
        var w = _workloads.GetValueOrDefault(id) ?? throw new ArgumentException($"workload {id} is unknown", nameof(id));
        if (w.Phase != WorkloadPhase.Admitted)
        {
            throw new InvalidOperationException($"workload {id} is {w.Phase}; only admitted workloads have pods to place");
        }

        var missing = (int[])w.Counts.Clone();
        foreach (var p in w.Placements)
        {
            missing[p.PodSet]--;
        }

        if (missing.All(m => m <= 0))
        {
            return [];
        }

        for (var s = 0; s < missing.Length; s++)
        {
            missing[s] = Math.Max(0, missing[s]);
        }

        var checkpoint = _statement.Checkpoint();
        if (!TryPlaceGang(w, w.Flavor, missing, Now, keep: true, out _))
        {
            _statement.RollbackTo(checkpoint);
            return null;
        }

        _statement.Commit();
        var added = _scratch.ToArray();
        w.Placements.AddRange(added);
        _scratch.Clear();
        _generation++;
        return added;
    }

    private bool Fits(int node, Pod pod, int mask)
    {
        if (pod.CpuMilli > _cluster.FreeCpuOf(node) || pod.MemoryMiB > _cluster.FreeMemoryOf(node))
        {
            return false;
        }

        var free = _cluster.GpuFreeOf(node);
        if (System.Numerics.BitOperations.PopCount((uint)mask) != pod.GpuCount || (free.Length < 32 && mask >> free.Length != 0))
        {
            return false;
        }

        for (var g = 0; g < free.Length; g++)
        {
            if ((mask & (1 << g)) != 0 && free[g] < pod.GpuMilli)
            {
                return false;
            }
        }

        return true;
    }

    private int LowestFreeGpus(int node, int count, int milli)
    {
        var mask = 0;
        var free = _cluster.GpuFreeOf(node);
        for (var g = 0; g < free.Length && count > 0; g++)
        {
            if (free[g] >= milli)
            {
                mask |= 1 << g;
                count--;
            }
        }

        return count == 0 ? mask : -1;
    }
}
