using System.Globalization;
using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// One decision on a Kubernetes cluster, as a pure function of a snapshot: the same engine as the simulator,
/// built fresh from what the API server says (a restart and a normal cycle take the same path).
///
/// 1. translate Berth's objects into the queueing model; invalid ones get a status condition and are left out;
/// 2. read nodes (health: unready or cordoned nodes take no new pods, unhealthy GPUs leave the capacity) and pods;
/// 3. group pods into workloads: queued Jobs, PodGroups, labelled gangs, lone pods;
/// 4. build the engine: capacity taken by pods Berth does not manage is withheld; admitted workloads are
///    restored where their pods are bound (or planned to be); workloads on unhealthy nodes are requeued;
/// 5. place the pods of admitted workloads that are not bound yet (to their planned place, or all at once);
/// 6. run the admission cycle; admitted Jobs are unsuspended, admitted gangs bound all at once, victims
///    suspended or evicted with an event naming the preemptor;
/// 7. record why each pending workload waits and its place in its queue, on the object and its pods.
/// </summary>
public sealed partial class DecisionPlanner
{
    private readonly ClusterSnapshot _snapshot;
    private readonly ControllerOptions _options;
    private readonly DecisionPlan _plan = new();
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly List<PodInfo> _pods = [];
    private readonly List<WorkloadSource> _sources = [];

    /// <summary>Nodes where bindings wait: pods that are leaving (evicted, terminating) or that Berth cannot account for still hold them.</summary>
    private readonly HashSet<string> _contended = new(StringComparer.Ordinal);

    private readonly HashSet<string> _requeued = new(StringComparer.Ordinal);

    private long _withheldUnusableGpuMilli;

    private ILookup<(string, string), PodInfo>? _podsByJob;
    private ILookup<(string, string), PodInfo>? _podsByGroup;
    private QueueConfiguration _config = new();
    private AdmissionScheduler? _engine;

    private DecisionPlanner(ClusterSnapshot snapshot, ControllerOptions options)
    {
        _snapshot = snapshot;
        _options = options;
    }

    /// <summary>Who wrote an admission record: Berth's key when the controller runs, unverified for a pure reading.</summary>
    /// <summary>The pending reason of a workload whose namespace the queue's namespaceSelector does not match.</summary>
    public const string QueueNotAllowedReason = "QueueNotAllowed";

    private AdmissionRecordSeal Seal => _options.RecordSeal ?? AdmissionRecordSeal.Unverified;

    /// <summary>Plans one decision. Never throws for anything found on the cluster; what it cannot use is reported in the plan.</summary>
    public static DecisionPlan Plan(ClusterSnapshot snapshot, ControllerOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        var planner = new DecisionPlanner(snapshot, options);
        planner.Run();
        return planner._plan;
    }

    /// <summary>Reads a snapshot as the controller does (translation, nodes, pods grouped into workloads) without deciding.</summary>
    public static ClusterReading Read(ClusterSnapshot snapshot, ControllerOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        var planner = new DecisionPlanner(snapshot, options);
        planner.TranslateQueues();
        planner.ReadNodes();
        planner.ReadPods();
        planner.GroupWorkloads();
        var workloads = planner._sources.Select(s => new ReadWorkload(
            s.Admitted && s.Problem is null ? AsAdmitted(s) : s.Workload,
            s.Kind.ToString(),
            s.Created,
            s.Admitted,
            s.Admitted ? planner.FlavorOf(s) : null,
            s.Record?.AdmittedAt,
            s.Members.Where(m => m.Pod.Bound).Select(m => (m.PodSet, m.Pod.NodeName!, m.Pod.GpuMask is { } mask ? Gpus(mask) : (IReadOnlyList<int>)[])).ToArray(),
            s.Problem is { } p ? $"{p.Code}: {p.Message}" : s.MissingMembers > 0 ? $"GangIncomplete: it needs {s.MissingMembers} more pods" : null)).ToArray();
        return new ClusterReading(planner._config, planner._nodes.Values.Select(n => n.Node).OrderBy(n => n.Name, StringComparer.Ordinal).ToArray(), workloads, planner._plan.Warnings.ToArray())
        {
            Held = planner.HeldPods(),
            Requeued = planner.RequeuedWorkloads(),
        };
    }

    /// <summary>A time read from the API server as UTC, whatever kind the deserialiser gave it.</summary>
    internal static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => time,
    };

    private TimeSpan Offset(DateTimeOffset at) => at - _snapshot.Now;

    private void Run()
    {
        TranslateQueues();
        ReadNodes();
        ReadPods();
        GroupWorkloads();
        if (_config.Queues.Count == 0 || _config.Flavors.Count == 0)
        {
            foreach (var source in _sources)
            {
                MarkPending(source, "QueueUnknown", $"no valid queue exists yet; create Queues and Flavors ({KubernetesNames.ApiVersion})", null);
            }

            ReportQueues();
            return;
        }

        BuildEngine();
        PlaceAdmitted();
        Admit();
        Explain();
        Measure();
        ReportQueues();
    }

    private void BuildEngine()
    {
        // Every node is in the engine's view (what runs on a cordoned node is still charged); what is free on an
        // unusable one is withheld below, after what runs there is restored.
        var usable = _nodes.Values.Select(n => n.Plain).OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
        var time = new FixedTime(_snapshot.Now);
        _engine = new AdmissionScheduler(usable, _config, _options.ToAdmissionOptions(), time);
        _plan.Engine = _engine;

        // Disruption budgets count evictions over a window longer than one decision: they live on the Queue's status.
        foreach (var queue in _snapshot.Queues)
        {
            if (queue.Metadata?.Name is { } name && queue.Status?.RecentDisruptions is { Count: > 0 } times && _config.Queues.Any(q => q.Name == name))
            {
                _engine.RestoreDisruptions(name, times.Select(t => Offset(new DateTimeOffset(Utc(t)))));
            }
        }
        foreach (var node in usable)
        {
            var bad = _nodes[node.Name].UnhealthyGpuMask;
            if (bad != 0)
            {
                var count = System.Numerics.BitOperations.PopCount((uint)bad);
                _engine.Withhold(node.Name, new Pod { Name = "unhealthy-gpus", GpuCount = count, GpuMilli = Limits.GpuMilliPerGpu }, bad);
                _plan.UnhealthyGpus += count;
            }
        }


        // Admitted workloads first: their pods (and planned places) are the truth Berth wrote. Those whose pods carry
        // their GPU indices go before those whose pods another scheduler placed without saying which GPUs (a Job's
        // pods under the default scheduler take the lowest free ones), so that known indices are never taken.
        foreach (var source in _sources.Where(s => s.Admitted && s.Problem is null)
            .OrderBy(s => s.Members.Any(m => m.Pod.Bound && m.Pod.GpuMask is null && m.Pod.UsesGpu))
            .ThenBy(s => s.Id, StringComparer.Ordinal))
        {
            if (UnhealthyMember(source) is { } reason)
            {
                Requeue(source, "NodeUnhealthy", reason);
                continue;
            }

            if (NotReadyInTime(source) is { } late)
            {
                RequeueNotReady(source, late);
                continue;
            }

            Restore(source);
        }

        // Groups whose admission was taken back while their pods still run: evict those pods again.
        foreach (var source in _sources.Where(s => s.Problem?.Code == EvictingReason))
        {
            foreach (var (pod, _) in source.Members.Where(m => m.Pod.Bound))
            {
                _plan.Evictions.Add(new EvictPodAction(pod.Namespace, pod.Name, EvictingReason, source.Problem!.Value.Message, source.Id));
                _contended.Add(pod.NodeName!);
            }
        }

        // Then pods Berth does not place (other schedulers, pods still terminating): they hold what they hold. Where they
        // do not fit beside the planned places, the node is contended: nothing is bound there until they are gone.
        var managed = ManagedPodKeys();
        foreach (var pod in _pods.Where(p => p.Bound && !p.Terminal && !managed.Contains(p.Key)))
        {
            if (_nodes.ContainsKey(pod.NodeName!) && !_engine.Withhold(pod.NodeName!, pod.Request, pod.GpuMask))
            {
                _contended.Add(pod.NodeName!);
                if (!pod.Terminating)
                {
                    _plan.Warnings.Add($"pod {pod.Key} on {pod.NodeName} asks for more than the node has free in Berth's view; nothing more is bound there until that changes");
                }
            }
        }

        // Cordoned, unready or GPU-unhealthy nodes take nothing new: what is free there is withheld.
        foreach (var node in _nodes.Values.Where(n => !n.Usable).OrderBy(n => n.Node.Name, StringComparer.Ordinal))
        {
            _withheldUnusableGpuMilli += WithholdFree(node.Node.Name);
        }

        foreach (var source in _sources.Where(s => !s.Admitted && s.MissingMembers == 0 && s.Problem is null).OrderBy(s => s.Created).ThenBy(s => s.Id, StringComparer.Ordinal))
        {
            var state = _engine.Submit(source.Workload, Offset(source.Created));
            if (state.Phase == WorkloadPhase.Failed)
            {
                MarkPending(source, nameof(PendingReasonCode.NeverFits), state.Reason.Message, state.Reason.Flavor);
            }
        }
    }

    /// <summary>Withholds everything still free on <paramref name="name"/> (CPU, memory, each GPU's free share); returns the milli-GPU withheld.</summary>
    private long WithholdFree(string name)
    {
        var engine = _engine!;
        var n = engine.NodeIndexOf(name);
        var cluster = engine.Cluster;
        engine.Withhold(name, new Pod { Name = "unusable-node", CpuMilli = cluster.FreeCpuOf(n), MemoryMiB = cluster.FreeMemoryOf(n) });
        long withheld = 0;
        foreach (var group in cluster.GpuFreeOf(n).ToArray().Select((free, g) => (free, g)).Where(x => x.free > 0).GroupBy(x => x.free))
        {
            var mask = group.Aggregate(0, (m, x) => m | (1 << x.g));
            if (engine.Withhold(name, new Pod { Name = "unusable-node", GpuCount = group.Count(), GpuMilli = group.Key }, mask))
            {
                withheld += (long)group.Key * group.Count();
            }
        }

        return withheld;
    }

    /// <summary>Why a running workload must leave its nodes: a pod on a node that is gone or not ready, or on an unhealthy GPU.</summary>
    private string? UnhealthyMember(WorkloadSource source)
    {
        foreach (var (pod, _) in source.Members.Where(m => m.Pod.Bound))
        {
            if (!_nodes.TryGetValue(pod.NodeName!, out var node))
            {
                return $"pod {pod.Name} is bound to node {pod.NodeName}, which is gone";
            }

            if (!node.Healthy)
            {
                return $"node {pod.NodeName} of pod {pod.Name} is not ready";
            }

            if (pod.GpuMask is { } mask && (mask & node.UnhealthyGpuMask) != 0)
            {
                return $"pod {pod.Name} runs on unhealthy GPU(s) {FormatGpus(mask & node.UnhealthyGpuMask)} of node {pod.NodeName}";
            }

            var all = node.Node.GpuCount >= 32 ? -1 : (1 << node.Node.GpuCount) - 1;
            if (pod.GpuMask is null && pod.UsesGpu && node.Node.GpuCount > 0 && (node.UnhealthyGpuMask & all) == all)
            {
                return $"pod {pod.Name} uses GPUs of node {pod.NodeName}, whose GPUs are all unhealthy";
            }
        }

        return null;
    }

    private void Restore(WorkloadSource source)
    {
        var flavor = FlavorOf(source);
        if (flavor is null)
        {
            _plan.Warnings.Add($"{source.Id} runs but no flavor of queue {source.Workload.Queue} matches its nodes; its quota is not charged");
            return;
        }

        var pods = new List<RestoredPod>();
        var bound = new int[source.Workload.PodSets.Count];
        // Bound pods hold what they hold, whoever bound them (Job pods may be placed by the default scheduler).
        foreach (var (pod, set) in source.Members.Where(m => m.Pod.Bound))
        {
            pods.Add(new RestoredPod(set, pod.NodeName!, pod.GpuMask ?? 0));
            bound[set]++;
        }

        // Planned places of pods not bound yet stay reserved: take them from the record, skipping those bound pods already hold.
        if (source.Record is { } record)
        {
            var taken = pods.ToList();
            var berthPods = source.Kind != SourceKind.Job || JobPodsUseBerth(source);
            foreach (var planned in record.Pods)
            {
                if (!_nodes.TryGetValue(planned.Node, out var target) || !target.Usable)
                {
                    continue; // its planned node takes nothing new now: the pod is placed again elsewhere, with the rest
                }

                var slot = new RestoredPod(planned.PodSet, planned.Node, MaskOf(planned.Gpus));
                var index = taken.IndexOf(slot);
                if (index >= 0)
                {
                    taken.RemoveAt(index);
                    continue;
                }

                if (berthPods && planned.PodSet < bound.Length && bound[planned.PodSet] < source.Workload.PodSets[planned.PodSet].Count)
                {
                    pods.Add(slot);
                    bound[planned.PodSet]++;
                }
            }
        }

        var counts = AdmittedCounts(source);
        _engine!.Restore(source.Workload, flavor, pods, source.Record?.AdmittedAt is { } at ? Offset(at) : Offset(source.Created), out var misfits, counts);
        foreach (var misfit in misfits)
        {
            _contended.Add(misfit.Node);
            _plan.Warnings.Add($"{source.Id}: a pod of set {misfit.PodSet} said to be on {misfit.Node} (GPUs {FormatGpus(misfit.GpuMask)}) does not fit there in Berth's view");
        }
    }

    /// <summary>
    /// How many pods per set a running workload was admitted with: its record's (an elastic workload may run with
    /// fewer than all), else those bound, at least each set's minimum.
    /// </summary>
    private static int[] AdmittedCounts(WorkloadSource source) => source.Workload.PodSets.Select((s, i) => Math.Clamp(
        source.Record is { } planned ? planned.Pods.Count(p => p.PodSet == i) : source.Members.Count(m => m.PodSet == i && m.Pod.Bound),
        s.MinCount,
        s.Count)).ToArray();

    /// <summary>The workload as it runs: each pod set at the count it was admitted with.</summary>
    private static Workload AsAdmitted(WorkloadSource source)
    {
        var counts = AdmittedCounts(source);
        return source.Workload with
        {
            PodSets = source.Workload.PodSets.Select((s, i) => s with { Count = counts[i], MinCount = Math.Min(s.MinCount, counts[i]) }).ToArray(),
        };
    }

    private string? FlavorOf(WorkloadSource source)
    {
        var queue = _config.Queues.FirstOrDefault(q => q.Name == source.Workload.Queue);
        if (queue is null)
        {
            return null;
        }

        if (source.Record is { } record && queue.Flavors.Any(f => f.Flavor == record.Flavor))
        {
            return record.Flavor;
        }

        var node = source.Members.Select(m => m.Pod.NodeName).FirstOrDefault(n => n is not null && _nodes.ContainsKey(n));
        foreach (var fq in queue.Flavors)
        {
            var flavor = _config.Flavors.First(f => f.Name == fq.Flavor);
            if (node is null || flavor.Matches(_nodes[node].Node))
            {
                return flavor.Name;
            }
        }

        return null;
    }

    private static bool JobPodsUseBerth(WorkloadSource source) =>
        source.Owner is V1Job job && string.Equals(job.Spec?.Template?.Spec?.SchedulerName, KubernetesNames.SchedulerName, StringComparison.Ordinal);

    /// <summary>Binds the pods of admitted workloads that are not bound yet: to their planned place, else all remaining at once.</summary>
    private void PlaceAdmitted()
    {
        foreach (var source in _sources.Where(s => s.Admitted && _engine!.Find(s.Id) is { Phase: WorkloadPhase.Admitted }).OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var unbound = source.Members.Where(m => !m.Pod.Bound && m.Pod.BerthScheduled).ToList();
            if (unbound.Count == 0)
            {
                continue;
            }

            var state = _engine!.Find(source.Id)!;
            if (WaitsForNodes(source, state))
            {
                continue;
            }

            var free = FreePlacements(source, state);
            var missing = unbound.Where(m => !free.Any(p => p.PodSet == m.PodSet)).ToList();
            if (missing.Count > 0 || unbound.Count > free.Count)
            {
                // No planned places for them (a gang without an owner, or a crash before the record): place the rest at once.
                var counts = state.Counts;
                var present = source.Members.GroupBy(m => m.PodSet).ToDictionary(g => g.Key, g => g.Count());
                if (counts.Select((c, s) => present.GetValueOrDefault(s) >= c).All(x => x))
                {
                    var added = _engine.PlaceRemaining(source.Id);
                    if (added is null)
                    {
                        foreach (var (pod, _) in unbound)
                        {
                            MarkUnschedulable(pod, nameof(PendingReasonCode.GangIncomplete), $"{source.Id} is admitted but its remaining pods do not all fit now; they are bound together when they do", withEvent: false);
                        }

                        continue;
                    }

                    free = FreePlacements(source, state);
                    if (WaitsForNodes(source, state))
                    {
                        continue; // the new places are on nodes still being freed: bound together once they are
                    }
                }
            }

            foreach (var (pod, set) in unbound)
            {
                var index = free.FindIndex(p => p.PodSet == set);
                if (index < 0)
                {
                    // Beyond the count it was admitted with (an elastic group admitted at its minimum).
                    MarkUnschedulable(pod, BeyondAdmittedCountReason, $"{source.Id} was admitted with {state.Pods.Count} pods; this one is beyond that count and waits", withEvent: false);
                    continue;
                }

                var place = free[index];
                free.RemoveAt(index);
                _plan.Bindings.Add(Bind(pod, place, source.Id));
            }
        }
    }

    /// <summary>
    /// True (and its pods told why) when a placement of the workload is on a contended node: its pods are bound
    /// all together once the pods leaving those nodes are gone, never beside them.
    /// </summary>
    private bool WaitsForNodes(WorkloadSource source, WorkloadState state)
    {
        var nodes = state.Pods.Select(p => _engine!.Cluster.Nodes[p.Node].Name).Where(_contended.Contains).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (nodes.Length == 0)
        {
            return false;
        }

        var message = $"{source.Id} is admitted; its pods are bound once the pods leaving {string.Join(", ", nodes.Take(4))}{(nodes.Length > 4 ? ", ..." : string.Empty)} are gone";
        foreach (var (pod, _) in source.Members.Where(m => !m.Pod.Bound && m.Pod.BerthScheduled))
        {
            MarkUnschedulable(pod, WaitingForNodesReason, message, withEvent: false);
        }

        return true;
    }

    /// <summary>PodScheduled reason of a pod of an elastic group beyond the count it was admitted with.</summary>
    public const string BeyondAdmittedCountReason = "BeyondAdmittedCount";

    /// <summary>Sets <c>PodScheduled=False</c> with <paramref name="reason"/> unless the pod already says exactly that; an event when the reason changes.</summary>
    private void MarkUnschedulable(PodInfo pod, string reason, string message, bool withEvent)
    {
        var condition = pod.Object.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (condition is not null && condition.Status == "False" && condition.Reason == reason && condition.Message == message)
        {
            return;
        }

        _plan.Unschedulable.Add(new UnschedulableAction(pod.Namespace, pod.Name, reason, message));
        if (withEvent && condition?.Reason != reason)
        {
            _plan.Events.Add(new EventAction(new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Name, NamespaceProperty = pod.Namespace, Uid = pod.Object.Metadata?.Uid }, "Warning", "FailedScheduling", message));
        }
    }

    /// <summary>Pending reason of a pod group whose admission was taken back while its pods still run.</summary>
    public const string EvictingReason = "Evicting";

    /// <summary>PodScheduled reason of the pods of an admitted workload whose nodes are still being freed.</summary>
    public const string WaitingForNodesReason = "WaitingForPreemptedPods";

    /// <summary>Placements of the workload that no bound pod holds, in order.</summary>
    private List<PodPlacement> FreePlacements(WorkloadSource source, WorkloadState state)
    {
        var free = state.Pods.ToList();
        foreach (var (pod, set) in source.Members.Where(m => m.Pod.Bound && m.Pod.BerthScheduled))
        {
            var node = _engine!.NodeIndexOf(pod.NodeName!);
            var index = free.FindIndex(p => p.PodSet == set && p.Node == node && (pod.GpuMask is null || p.GpuMask == pod.GpuMask));
            if (index >= 0)
            {
                free.RemoveAt(index);
            }
        }

        return free;
    }

    private BindAction Bind(PodInfo pod, PodPlacement place, string workload)
    {
        var node = _engine!.Cluster.Nodes[place.Node].Name;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (place.Pod.GpuCount > 0)
        {
            annotations[KubernetesNames.GpuIndicesAnnotation] = string.Join(',', Gpus(place.GpuMask));
            annotations[KubernetesNames.GpuMilliAnnotation] = place.Pod.GpuMilli.ToString(CultureInfo.InvariantCulture);
        }

        return new BindAction(pod.Namespace, pod.Name, node, annotations, workload);
    }

    internal static IReadOnlyList<int> Gpus(int mask)
    {
        var list = new List<int>();
        for (var g = 0; g < 32; g++)
        {
            if ((mask & (1 << g)) != 0)
            {
                list.Add(g);
            }
        }

        return list;
    }

    internal static int MaskOf(IEnumerable<int> gpus) => gpus.Where(g => g is >= 0 and < 32).Aggregate(0, (m, g) => m | (1 << g));

    private static string FormatGpus(int mask) => string.Join(',', Gpus(mask));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
