using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Translation;
using Berth.Web;

namespace Berth.Kubernetes.Views;

/// <summary>
/// Everything the operator's views show, built once per decision from its snapshot and outcomes, for every caller (the
/// views filter per scope): the workloads Berth queues, in submit order, with their placement; the nodes with the
/// pods holding each GPU; and the GPU totals of the timeline. Immutable once built.
/// </summary>
internal sealed class ClusterPicture
{
    private ClusterPicture(Decision decision, IReadOnlyList<JobEntry> jobs, IReadOnlyList<NodeEntry> nodes)
    {
        Decision = decision;
        Jobs = jobs;
        ById = jobs.ToDictionary(j => j.View.Id, StringComparer.Ordinal);
        Nodes = nodes;
    }

    public Decision Decision { get; }

    /// <summary>Running and waiting workloads, oldest first (creation time, then id).</summary>
    public IReadOnlyList<JobEntry> Jobs { get; }

    public IReadOnlyDictionary<string, JobEntry> ById { get; }

    public IReadOnlyList<NodeEntry> Nodes { get; }

    /// <summary>
    /// The cluster's GPUs now: allocated, free (healthy, held by nobody), fragmented (free on partly held GPUs); used and
    /// idle-allocated from the DCGM activity the decision read (<see cref="Controller.DecisionPlan.Yield"/>), Used null
    /// while no admitted workload's activity is known.
    /// </summary>
    public TimelinePoint Point()
    {
        double total = 0, allocated = 0, fragmented = 0;
        foreach (var gpu in Nodes.SelectMany(n => n.Gpus))
        {
            var held = Math.Min(1, gpu.Held);
            allocated += held;
            if (gpu.Healthy)
            {
                total += 1;
                if (held is > 0 and < 1)
                {
                    fragmented += 1 - held;
                }
            }
        }

        var (used, idle) = Busy(Decision.Plan.Yield.Values);
        return new TimelinePoint(Decision.Snapshot.Now, Round(allocated), Round(Math.Max(0, total - allocated)), Round(fragmented), Round(idle ?? 0), used is { } u ? Round(u) : null);
    }

    /// <summary>
    /// Used and idle GPUs summed over yield rows (per queue); both null where the rows know no activity (a row's used
    /// plus idle is what its jobs of known activity hold, so 0 means none is known).
    /// </summary>
    public static (double? Used, double? Idle) Busy(IEnumerable<(double Allocated, double Used, double IdleAllocated)> rows)
    {
        double used = 0, idle = 0;
        foreach (var row in rows)
        {
            used += row.Used;
            idle += row.IdleAllocated;
        }

        return used + idle > 0 ? (Round(used), Round(idle)) : (null, null);
    }

    public double TotalGpus => Nodes.Sum(n => n.Gpus.Count);

    public static ClusterPicture Build(Decision decision)
    {
        var snapshot = decision.Snapshot;
        var owner = new Dictionary<string, WorkloadOutcome>(StringComparer.Ordinal);
        foreach (var o in decision.Plan.Outcomes)
        {
            foreach (var pod in o.PodKeys)
            {
                owner[pod] = o;
            }
        }

        var nodes = ReadNodes(snapshot, owner);
        var placements = nodes.SelectMany(n => n.Gpus.SelectMany(g => g.Holders.Select(h => (Node: n.Name, Gpu: g.Index, Hold: h, g.Activity))))
            .Where(x => x.Hold.Job is not null)
            .GroupBy(x => x.Hold.Job!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<PlacementView>)g.GroupBy(x => (x.Hold.Pod, x.Node))
                .Select(p => p.OrderBy(x => x.Gpu).ToArray())
                .Select(p => new PlacementView(p[0].Hold.Pod, p[0].Node, p.Select(x => x.Gpu).ToArray(), p[0].Hold.Share)
                {
                    GpuActivity = p.Any(x => x.Activity is not null) ? p.Select(x => x.Activity).ToArray() : null,
                })
                .OrderBy(p => p.Pod, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        var jobs = decision.Plan.Outcomes
            .OrderBy(o => o.Created).ThenBy(o => o.Id, StringComparer.Ordinal)
            .Select(o => new JobEntry(ViewOf(o, snapshot.Now, placements.GetValueOrDefault(PendingWorkloads.JobId(o.Id))), o.Namespace, o))
            .ToArray();
        return new ClusterPicture(decision, jobs, nodes);
    }

    private static JobView ViewOf(WorkloadOutcome o, DateTimeOffset now, IReadOnlyList<PlacementView>? placement) => new()
    {
        Id = PendingWorkloads.JobId(o.Id),
        Name = o.Name,
        Queue = o.Queue,
        User = o.Namespace,
        State = o.Running ? JobState.Running : JobState.Pending,
        Gpus = o.Gpus,
        Pods = o.Pods,
        Created = o.Created,
        AdmittedAt = o.AdmittedAt,
        StartedAt = o.Running ? o.AdmittedAt : null,
        WaitedSeconds = Math.Round(Math.Max(0, ((o.Running ? o.AdmittedAt ?? o.Created : now) - o.Created).TotalSeconds), 3),
        Flavor = o.Flavor,
        Message = o.Running ? null : o.Message,
        Placement = placement,
        Pending = o.Running || o.Code is null ? null : new PendingView(o.Code, o.Message ?? string.Empty, o.Flavor),
        QueuePosition = o.Running ? null : o.Position,
        ExpectedStart = o.Running ? null : o.ExpectedStart,
    };

    /// <summary>
    /// Each node's GPUs and who holds them: pods with Berth's assignment annotations on the GPUs named there; a bound pod
    /// asking for whole GPUs without them (placed by another scheduler) on the lowest GPUs nobody holds, as the device
    /// plugin's choice is not visible to Berth.
    /// </summary>
    private static NodeEntry[] ReadNodes(ClusterSnapshot snapshot, Dictionary<string, WorkloadOutcome> owner)
    {
        var slots = new Dictionary<string, GpuSlot[]>(StringComparer.Ordinal);
        var entries = new List<(Translation.NodeView View, GpuSlot[] Gpus, bool Cordoned)>();
        foreach (var node in snapshot.Nodes.OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
        {
            var view = NodeTranslator.Translate(node);
            if (string.IsNullOrEmpty(view.Node.Name) || slots.ContainsKey(view.Node.Name))
            {
                continue;
            }

            var unhealthy = view.UnhealthyGpus.ToHashSet();
            var gpus = Enumerable.Range(0, view.Node.GpuCount)
                .Select(g => new GpuSlot(g, view.Node.GpuModel ?? NodeTranslator.UnknownGpuModel, !view.GpusUnhealthy && !unhealthy.Contains(g), [],
                    snapshot.GpuActivityByGpu.TryGetValue(view.Node.Name + "/" + g.ToString(System.Globalization.CultureInfo.InvariantCulture), out var busy) ? Math.Round(busy, 3) : null))
                .ToArray();
            slots[view.Node.Name] = gpus;
            entries.Add((view, gpus, node.Spec?.Unschedulable == true));
        }

        var unassigned = new List<(PodView Pod, GpuSlot[] Gpus)>();
        foreach (var pod in snapshot.Pods.Select(PodTranslator.Translate).Where(p => p.IsBound && !p.Terminal).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!slots.TryGetValue(pod.NodeName!, out var gpus) || pod.Pod.GpuCount == 0)
            {
                continue;
            }

            if (!pod.HasAssignment)
            {
                unassigned.Add((pod, gpus));
                continue;
            }

            foreach (var g in pod.AssignedGpus.Where(g => g >= 0 && g < gpus.Length))
            {
                gpus[g].Holders.Add(Hold(pod, owner, pod.AssignedGpuMilli / 1000.0));
            }
        }

        foreach (var (pod, gpus) in unassigned)
        {
            var whole = pod.Pod.GpuMilli >= Model.Limits.GpuMilliPerGpu;
            foreach (var gpu in gpus.Where(g => g.Holders.Count == 0).Take(whole ? pod.Pod.GpuCount : 1))
            {
                gpu.Holders.Add(Hold(pod, owner, whole ? 1 : pod.Pod.GpuMilli / 1000.0));
            }
        }

        return entries.Select(e => new NodeEntry(
            e.View.Node.Name,
            e.View.Node.CpuMilli / 1000.0,
            Math.Round(e.View.Node.MemoryMiB / 1024.0, 3),
            e.View.Node.Labels,
            e.Cordoned,
            e.Gpus)).ToArray();
    }

    private static GpuHold Hold(PodView pod, Dictionary<string, WorkloadOutcome> owner, double share) =>
        owner.TryGetValue(pod.Key, out var o)
            ? new GpuHold(PendingWorkloads.JobId(o.Id), pod.Name, o.Queue, pod.Namespace, share)
            : new GpuHold(null, pod.Name, pod.Queue, pod.Namespace, share);

    private static double Round(double gpus) => Math.Round(gpus, 3);
}
