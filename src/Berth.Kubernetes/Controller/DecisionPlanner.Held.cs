using Berth.Model;

namespace Berth.Kubernetes.Controller;

/// <summary>What <see cref="BuildEngine"/> withholds and requeues, listed for a reader (the what-if simulator) rather than applied.</summary>
public sealed partial class DecisionPlanner
{
    private IReadOnlyList<HeldPod> HeldPods()
    {
        var held = new List<HeldPod>();
        foreach (var (name, node) in _nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (node.UnhealthyGpuMask != 0)
            {
                var count = System.Numerics.BitOperations.PopCount((uint)node.UnhealthyGpuMask);
                held.Add(new HeldPod(name, new Pod { Name = "unhealthy-gpus", GpuCount = count, GpuMilli = Limits.GpuMilliPerGpu }, node.UnhealthyGpuMask));
            }
        }

        var managed = ManagedPodKeys();
        foreach (var pod in _pods.Where(p => p.Bound && !p.Terminal && !managed.Contains(p.Key) && _nodes.ContainsKey(p.NodeName!)).OrderBy(p => p.NodeName, StringComparer.Ordinal).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            held.Add(new HeldPod(pod.NodeName!, pod.Request, pod.GpuMask));
        }

        return held;
    }

    /// <summary>Pods of admitted workloads Berth restores where they are; every other bound pod (those of a workload requeued in this decision included: they leave only when their pods are gone) holds capacity no queue is charged for.</summary>
    private HashSet<string> ManagedPodKeys()
    {
        var managed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in _sources.Where(s => s.Admitted && s.Problem is null && !_requeued.Contains(s.Id)))
        {
            foreach (var (pod, _) in source.Members)
            {
                managed.Add(pod.Key);
            }
        }

        return managed;
    }

    private Dictionary<string, string> RequeuedWorkloads()
    {
        var requeued = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in _sources.Where(s => s.Admitted && s.Problem is null))
        {
            if (UnhealthyMember(source) is { } reason)
            {
                requeued[source.Id] = reason;
            }
        }

        return requeued;
    }
}
