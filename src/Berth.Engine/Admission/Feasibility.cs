using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Engine.Admission;

/// <summary>
/// Whether a workload could ever be admitted: within its queue's quota ceiling (all it may borrow), the flavor's
/// total GPUs, a node that could host each pod when empty, and a topology domain large enough for each set that
/// needs one. A workload that fails in every flavor of its queue fails at submission (NeverFits) instead of waiting
/// for ever.
/// </summary>
internal sealed class Feasibility(AdmissionScheduler s)
{
    /// <summary>False when <paramref name="w"/> could never be admitted in flavor <paramref name="f"/>; worked out once per workload and flavor.</summary>
    public bool CouldEverFit(WorkloadState w, int f)
    {
        w.EverFits ??= new bool?[s.Flavors.Count];
        return w.EverFits[f] ??= NeverFitsIn(w, f) is null;
    }

    /// <summary>Null when the workload could be admitted in flavor <paramref name="f"/> on an empty cluster; otherwise why not.</summary>
    private string? NeverFitsIn(WorkloadState w, int f)
    {
        if (s.Flavors[f].Spot && !w.Workload.MayRunOnSpot)
        {
            return $"flavor {s.Flavors[f].Name} is spot capacity and the workload neither checkpoints nor is preemptible; set checkpointInterval, preemptible: true or toleratesSpot: true to run it there";
        }

        var min = w.Workload.PodSets.Select(s => s.MinCount).ToArray();
        var request = w.RequestOf(min);
        if (s.Options.Gangs)
        {
            for (var k = 0; k < Resources.KindCount; k++)
            {
                var kind = (ResourceKind)k;
                if (request[kind] > 0 && s.Quotas.IsLimited(w.QueueIndex, f, kind) && request[kind] > s.Quotas.Ceiling(w.QueueIndex, f, kind))
                {
                    return $"it needs {Resources.Format(kind, request[kind])} in flavor {s.Flavors[f].Name}, more than queue {w.Workload.Queue} could ever hold there ({Resources.Format(kind, s.Quotas.Ceiling(w.QueueIndex, f, kind))} with all it may borrow)";
                }
            }

            if (!w.Workload.Preemptible && NonPreemptibleQuota.NeverFits(s.Quotas, w.QueueIndex, f, request, w.Workload.Queue, s.Flavors[f].Name) is { } overNominal)
            {
                return overNominal;
            }
        }

        if (request.GpuMilli > s.FlavorCapacityGpu(f))
        {
            return $"it needs {Resources.Format(ResourceKind.Gpu, request.GpuMilli)}, more than the {Resources.Format(ResourceKind.Gpu, s.FlavorCapacityGpu(f))} of flavor {s.Flavors[f].Name}";
        }

        var pods = s.PodsFor(w, f);
        foreach (var pod in pods)
        {
            if (!s.NodesOf(f).Any(n => FitsEmpty(pod, s.Cluster.Nodes[n])))
            {
                return $"no node of flavor {s.Flavors[f].Name} could host pod {pod.Name} even when empty";
            }
        }

        for (var set = 0; set < pods.Length; set++)
        {
            if (w.Workload.PodSets[set].TopologyKey is { } key)
            {
                var need = pods[set].GpuDemandMilli * w.Workload.PodSets[set].MinCount;
                if (!s.Gangs.DomainsOf(f, key).Any(d => d.Nodes.Sum(n => (long)s.Cluster.Nodes[n].GpuCount * Limits.GpuMilliPerGpu) >= need))
                {
                    return $"no {key} domain of flavor {s.Flavors[f].Name} has {Resources.Format(ResourceKind.Gpu, need)} for the pods of {pods[set].Name} together";
                }
            }
        }

        return null;
    }

    /// <summary>Null when some flavor of the workload's queue could ever hold it; otherwise why none can.</summary>
    public PendingReason? NeverFits(WorkloadState w)
    {
        var reasons = new List<string>();
        foreach (var f in s.FlavorsOf(w.QueueIndex))
        {
            if (NeverFitsIn(w, f) is { } why)
            {
                reasons.Add(why);
            }
            else
            {
                return null;
            }
        }

        return new PendingReason(PendingReasonCode.NeverFits, string.Join("; ", reasons)) { Unblock = "a smaller request, more quota, or nodes that can hold it" };
    }

    private static bool FitsEmpty(Pod pod, Node node)
    {
        if (pod.CpuMilli > node.CpuMilli || pod.MemoryMiB > node.MemoryMiB || pod.GpuCount > node.GpuCount)
        {
            return false;
        }

        if (pod.GpuCount > 0 && pod.AllowedGpuModels.Count > 0 && !pod.AllowedGpuModels.Contains(node.GpuModel ?? string.Empty, StringComparer.Ordinal))
        {
            return false;
        }

        foreach (var (key, value) in pod.NodeSelector)
        {
            if (!node.Labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var taint in node.Taints)
        {
            if (taint.Effect != TaintEffect.PreferNoSchedule && !pod.Tolerations.Any(t => t.Tolerates(taint)))
            {
                return false;
            }
        }

        return true;
    }
}
