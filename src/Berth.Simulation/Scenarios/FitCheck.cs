using Berth.Model;
using Berth.Model.Queueing;

namespace Berth.Simulation.Scenarios;

/// <summary>
/// Rejects a workload that can never be admitted: a pod that no node of any flavor its queue lists can
/// host even when empty, or a total request (every pod set at its min count) above the sum of those
/// flavors' nodes. Works on node groups (identical nodes), so it costs little per workload.
/// </summary>
internal sealed class FitCheck
{
    private readonly Dictionary<string, Flavor> _flavors;
    private readonly IReadOnlyList<NodeGroup> _groups;
    private readonly Dictionary<string, (Flavor[] Flavors, NodeGroup[] Groups, Resources Capacity)> _byQueue = new(StringComparer.Ordinal);

    // Pod templates already known to fit a queue's flavors; sources share one template per shape, so this
    // turns the per-workload search into one lookup.
    private readonly Dictionary<(string Queue, Pod Template), bool> _hosted = new(new TemplateComparer());

    public FitCheck(QueueConfiguration config, IReadOnlyList<NodeGroup> groups)
    {
        _flavors = config.Flavors.ToDictionary(f => f.Name, StringComparer.Ordinal);
        _groups = groups;
        foreach (var queue in config.Queues)
        {
            var flavors = queue.Flavors.Select(q => _flavors[q.Flavor]).ToArray();
            var members = _groups.Where(g => flavors.Any(f => Matches(f, g))).ToArray();
            var capacity = Resources.Zero;
            foreach (var g in members)
            {
                capacity += new Resources(g.CpuMilli, g.MemoryMiB, (long)g.GpusPerNode * Limits.GpuMilliPerGpu) * g.Count;
            }

            _byQueue[queue.Name] = (flavors, members, capacity);
        }
    }

    public void Check(Workload workload, WorkloadOrigin origin)
    {
        var (flavors, groups, capacity) = _byQueue[workload.Queue];
        string FlavorNames() => string.Join(", ", flavors.Select(f => f.Name));
        if (groups.Length == 0)
        {
            throw origin.Error("queue", $"workload {workload.Id}: no node belongs to the flavors of queue {workload.Queue} ({FlavorNames()}); add a node group whose labels match a flavor's nodeLabels, or fix the flavors");
        }

        for (var s = 0; s < workload.PodSets.Count; s++)
        {
            var set = workload.PodSets[s];
            if (_hosted.ContainsKey((workload.Queue, set.Template)))
            {
                continue;
            }

            if (CanHost(flavors, set.Template, out var field, out var detail))
            {
                _hosted[(workload.Queue, set.Template)] = true;
            }
            else
            {
                throw origin.Error(field, $"workload {workload.Id}: a pod of pod set {set.Name} can never be placed: {detail}, on any node of the flavors of queue {workload.Queue} ({FlavorNames()}) even when empty; make the pod smaller or add a node group that can hold it", s);
            }
        }

        var request = Resources.Zero;
        foreach (var set in workload.PodSets)
        {
            request += Resources.Of(set.Template) * set.MinCount;
        }

        foreach (var kind in new[] { ResourceKind.Gpu, ResourceKind.Cpu, ResourceKind.Memory })
        {
            if (request[kind] > capacity[kind])
            {
                var field = workload.PodSets.Count == 1 ? FieldOf(kind) : "podSets";
                throw origin.Error(field, $"workload {workload.Id} needs {Resources.Format(kind, request[kind])} at once, more than the {Resources.Format(kind, capacity[kind])} of all nodes of the flavors of queue {workload.Queue} ({FlavorNames()}); make it smaller or add nodes", workload.PodSets.Count == 1 ? 0 : -1);
            }
        }
    }

    private static string FieldOf(ResourceKind kind) => kind switch
    {
        ResourceKind.Gpu => "gpus",
        ResourceKind.Cpu => "cpu",
        _ => "memory",
    };

    /// <summary>
    /// True when some group of some flavor can hold one pod; otherwise the first requirement (in the order
    /// selector, taints, GPU model, GPUs, CPU, memory) that rules out every remaining group, with the best on offer.
    /// </summary>
    private bool CanHost(Flavor[] flavors, Pod pod, out string field, out string detail)
    {
        var candidates = new List<(Flavor Flavor, NodeGroup Group)>();
        foreach (var flavor in flavors)
        {
            foreach (var group in _groups)
            {
                if (Matches(flavor, group))
                {
                    candidates.Add((flavor, group));
                }
            }
        }

        (string Field, Func<(Flavor Flavor, NodeGroup Group), bool> Ok, Func<string> Detail)[] steps =
        [
            ("nodeSelector", c => pod.NodeSelector.All(p => c.Group.Labels.TryGetValue(p.Key, out var v) && v == p.Value), () => "its nodeSelector matches no node's labels"),
            ("tolerations", c => Tolerated(c.Flavor, pod, c.Group), () => "no node's taints are tolerated"),
            ("gpuModels", c => pod.GpuCount == 0 || pod.AllowedGpuModels.Count == 0 || pod.AllowedGpuModels.Contains(c.Group.GpuModel ?? string.Empty, StringComparer.Ordinal), () => $"no node has one of its GPU models {string.Join(", ", pod.AllowedGpuModels)}"),
            ("gpus", c => pod.GpuCount <= c.Group.GpusPerNode, () => $"it needs {pod.GpuCount} GPUs and the largest node has {candidates.Max(x => x.Group.GpusPerNode)}"),
            ("cpu", c => pod.CpuMilli <= c.Group.CpuMilli, () => $"it needs {Resources.Format(ResourceKind.Cpu, pod.CpuMilli)} and the largest node has {Resources.Format(ResourceKind.Cpu, candidates.Max(x => x.Group.CpuMilli))}"),
            ("memory", c => pod.MemoryMiB <= c.Group.MemoryMiB, () => $"it needs {Resources.Format(ResourceKind.Memory, pod.MemoryMiB)} and the largest node has {Resources.Format(ResourceKind.Memory, candidates.Max(x => x.Group.MemoryMiB))}"),
        ];
        foreach (var (name, ok, describe) in steps)
        {
            var left = candidates.Where(ok).ToList();
            if (left.Count == 0)
            {
                (field, detail) = (name, describe());
                return false;
            }

            candidates = left;
        }

        (field, detail) = (string.Empty, string.Empty);
        return true;
    }

    private static bool Matches(Flavor flavor, NodeGroup group)
    {
        foreach (var (key, value) in flavor.NodeLabels)
        {
            if (!group.Labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Tolerated(Flavor flavor, Pod pod, NodeGroup group)
    {
        foreach (var taint in group.Taints)
        {
            if (taint.Effect == TaintEffect.PreferNoSchedule)
            {
                continue;
            }

            if (!pod.Tolerations.Any(t => t.Tolerates(taint)) && !flavor.Tolerations.Any(t => t.Tolerates(taint)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Queue by value, template by reference (a record's value equality would compare every field).</summary>
    private sealed class TemplateComparer : IEqualityComparer<(string Queue, Pod Template)>
    {
        public bool Equals((string Queue, Pod Template) x, (string Queue, Pod Template) y) =>
            ReferenceEquals(x.Template, y.Template) && string.Equals(x.Queue, y.Queue, StringComparison.Ordinal);

        public int GetHashCode((string Queue, Pod Template) obj) =>
            HashCode.Combine(StringComparer.Ordinal.GetHashCode(obj.Queue), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Template));
    }
}
