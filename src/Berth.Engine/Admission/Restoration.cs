using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Rebuilding state from a truth kept elsewhere (a Kubernetes cluster: bound pods and the admission records
/// on Jobs and pod groups). A scheduler that runs inside a cluster builds a fresh engine for every decision
/// from what the API server says, so a restart and a normal cycle take the same path. Nothing here decides:
/// what runs, runs, even past its quota; what does not fit the engine's view is reported, never thrown.
/// </summary>
internal sealed class Restoration(AdmissionScheduler s)
{
    private Dictionary<string, int>? _nodeIndex;

    /// <summary>Index of the node named <paramref name="name"/> in <see cref="Cluster"/>, or -1.</summary>
    public int NodeIndexOf(string name)
    {
        if (_nodeIndex is null)
        {
            _nodeIndex = new Dictionary<string, int>(s.Cluster.NodeCount, StringComparer.Ordinal);
            for (var n = 0; n < s.Cluster.NodeCount; n++)
            {
                _nodeIndex[s.Cluster.Nodes[n].Name] = n;
            }
        }

        return _nodeIndex.GetValueOrDefault(name, -1);
    }

    /// <summary>Takes capacity no queue is charged for (see <see cref="AdmissionScheduler.Withhold"/>).</summary>
    public bool Withhold(string node, Pod pod, int? gpuMask)
    {
        var n = NodeIndexOf(node);
        if (n < 0)
        {
            return false;
        }

        var mask = gpuMask ?? (IsShared(pod) ? SharedPlace(n, pod) : LowestFreeGpus(n, pod.GpuCount, pod.GpuMilli));
        if (mask < 0 || !Fits(n, pod, mask))
        {
            return false;
        }

        s.ReservePod(pod, n, mask);
        s.Statement.Commit();
        s.CapacityFreed();
        return true;
    }

    /// <summary>Gives back withheld capacity (see <see cref="AdmissionScheduler.Unwithhold"/>).</summary>
    public bool Unwithhold(string node, Pod pod, int gpuMask)
    {
        var n = NodeIndexOf(node);
        if (n < 0)
        {
            return false;
        }

        s.Statement.Release(pod, n, gpuMask);
        s.Statement.Commit();
        s.CapacityFreed();
        return true;
    }

    /// <summary>Puts back an admitted workload (see <see cref="AdmissionScheduler.Restore"/>).</summary>
    public WorkloadState Restore(Workload workload, string flavor, IReadOnlyList<RestoredPod> pods, TimeSpan admittedAt, out IReadOnlyList<RestoredPod> misfits, IReadOnlyList<int>? counts)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(pods);
        workload.Validate();
        var queue = s.Store.QueueIndexOf(workload.Queue);
        if (queue < 0)
        {
            throw new ArgumentException($"workload {workload.Id}: queue '{workload.Queue}' does not exist", nameof(workload));
        }

        var f = Array.FindIndex(s.FlavorArray, x => string.Equals(x.Name, flavor, StringComparison.Ordinal));
        if (f < 0)
        {
            throw new ArgumentException($"workload {workload.Id}: flavor '{flavor}' does not exist", nameof(flavor));
        }

        if (s.Find(workload.Id) is not null)
        {
            throw new ArgumentException($"workload {workload.Id}: already known; workload ids must be unique", nameof(workload));
        }

        var state = s.Store.Register(workload, queue, workload.SubmitTime);
        var podCounts = counts?.ToArray() ?? workload.PodSets.Select(set => set.Count).ToArray();
        var templates = s.PodsFor(state, f);
        var bad = new List<RestoredPod>();
        s.Scratch.Clear();
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
            var mask = p.GpuMask != 0 ? p.GpuMask
                : IsShared(template) ? SharedPlace(n, template)
                : template.GpuCount > 0 || template.GpuMilli > 0 ? LowestFreeGpus(n, template.GpuCount, template.GpuMilli) : 0;
            if (mask < 0 || !Fits(n, template, mask))
            {
                bad.Add(p);
                continue;
            }

            s.ReservePod(template, n, mask);
            s.Scratch.Add(new PodPlacement(p.PodSet, template, n, mask));
            placedPerSet[p.PodSet]++;
        }

        var request = state.RequestOf(podCounts);
        s.Quotas.Add(queue, f, request);
        s.Statement.Commit();
        state.Phase = WorkloadPhase.Admitted;
        state.Flavor = f;
        state.Counts = podCounts;
        state.Usage = request;
        state.AdmittedAt = admittedAt;
        state.Placements.AddRange(s.Scratch);
        s.Scratch.Clear();
        s.Store.AdmittedIn(f).Add(state);
        s.Store.Victims.Started(state);
        s.AdmittedChanged();
        s.CapacityFreed();
        misfits = bad;
        return state;
    }

    /// <summary>Places the pods of an admitted workload that have no place yet (see <see cref="AdmissionScheduler.PlaceRemaining"/>).</summary>
    public IReadOnlyList<PodPlacement>? PlaceRemaining(string id)
    {
        var w = s.Find(id) ?? throw new ArgumentException($"workload {id} is unknown", nameof(id));
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

        for (var set = 0; set < missing.Length; set++)
        {
            missing[set] = Math.Max(0, missing[set]);
        }

        var checkpoint = s.Statement.Checkpoint();
        if (!s.Gangs.TryQuietly(w, w.Flavor, missing, s.Now, keep: true))
        {
            s.Statement.RollbackTo(checkpoint);
            return null;
        }

        s.Statement.Commit();
        var added = s.Scratch.ToArray();
        w.Placements.AddRange(added);
        s.Scratch.Clear();
        s.CapacityFreed();
        return added;
    }

    /// <summary>True when <paramref name="pod"/> fits on node <paramref name="node"/> on exactly the GPUs of <paramref name="mask"/>.</summary>
    private bool Fits(int node, Pod pod, int mask)
    {
        if (pod.CpuMilli > s.Cluster.FreeCpuOf(node) || pod.MemoryMiB > s.Cluster.FreeMemoryOf(node))
        {
            return false;
        }

        if (IsShared(pod))
        {
            return s.Cluster.Shared.CanAllocate(node, s.Cluster.Compile(pod), mask);
        }

        var free = s.Cluster.GpuFreeOf(node);
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

    /// <summary>True for a pod of MIG instances or time-sliced replicas, whose mask is the shared placement, not a GPU mask.</summary>
    private static bool IsShared(Pod pod) => pod.MigCount > 0 || pod.SharedGpuReplicas > 0;

    /// <summary>Where a bound shared pod whose devices are not known goes: the engine's best place on the node now; -1 when none.</summary>
    private int SharedPlace(int node, Pod pod) =>
        s.Cluster.Shared.TryChoose(node, s.Cluster.Compile(pod), out var choice) ? choice.Mask : -1;

    /// <summary>The lowest-indexed GPUs of the node with <paramref name="milli"/> free each, <paramref name="count"/> of them; -1 when too few.</summary>
    private int LowestFreeGpus(int node, int count, int milli)
    {
        var mask = 0;
        var free = s.Cluster.GpuFreeOf(node);
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
