using System.Globalization;
using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.Runtime.Cycle;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.View;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// One decision on a Kubernetes cluster, as a pure function of a snapshot. The decision itself is the runtime's
/// <see cref="DecisionCycle"/>, shared with every way Berth runs; this class translates and renders:
///
/// 1. translate Berth's objects into the queueing model; invalid ones get a status condition and are left out;
/// 2. read nodes (health: unready or cordoned nodes take no new pods, unhealthy GPUs leave the capacity) and pods;
/// 3. group pods into workloads: queued Jobs, PodGroups, labelled gangs, lone pods; together, a <see cref="ClusterView"/>;
/// 4. run the <see cref="DecisionCycle"/> on the view;
/// 5. render its plan as writes: admitted Jobs unsuspended, admitted gangs bound all at once, victims suspended or
///    evicted with an event naming the preemptor, why each pending workload waits on the object and its pods;
/// 6. report each queue's status.
/// </summary>
public sealed partial class DecisionPlanner
{
    private readonly ClusterSnapshot _snapshot;
    private readonly ControllerOptions _options;
    private readonly DecisionPlan _plan = new();
    private readonly Dictionary<string, ViewNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<PodInfo> _pods = [];
    private readonly List<WorkloadSource> _sources = [];
    private Dictionary<string, string> _idle = new(StringComparer.Ordinal);
    private QueueConfiguration _config = new();
    private AdmissionScheduler? _engine;

    private DecisionPlanner(ClusterSnapshot snapshot, ControllerOptions options)
    {
        _snapshot = snapshot;
        _options = options;
    }

    /// <summary>The pending reason of a workload whose namespace the queue's namespaceSelector does not match.</summary>
    public const string QueueNotAllowedReason = "QueueNotAllowed";

    /// <summary>Who wrote an admission record: Berth's key when the controller runs, unverified for a pure reading.</summary>
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

    /// <summary>Reads a snapshot as the controller does (translation, nodes, pods grouped into workloads) into the neutral view, without deciding.</summary>
    public static ClusterView Read(ClusterSnapshot snapshot, ControllerOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        var planner = new DecisionPlanner(snapshot, options);
        planner.TranslateQueues();
        planner.ReadNodes();
        planner.ReadPods();
        planner.ReadDeviceClaims();
        planner.GroupWorkloads();
        planner.ApplyDeviceWaits();
        return planner.View();
    }

    /// <summary>A time read from the API server as UTC, whatever kind the deserialiser gave it.</summary>
    internal static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => time,
    };

    private void Run()
    {
        TranslateQueues();
        ReadNodes();
        ReadPods();
        ReadDeviceClaims();
        GroupWorkloads();
        ApplyDeviceWaits();
        if (_config.Queues.Count == 0 || _config.Flavors.Count == 0)
        {
            foreach (var source in _sources)
            {
                MarkPending(source, "QueueUnknown", $"no valid queue exists yet; create Queues and Flavors ({KubernetesNames.ApiVersion})", null);
            }

            ReportQueues();
            return;
        }

        var cycle = DecisionCycle.Plan(View(), new CycleOptions(_options.ToAdmissionOptions(), _options.PodsReadyTimeout));
        _engine = cycle.Engine;
        Render(cycle);
        AllocateClaims();
        ReportQueues();
    }

    /// <summary>The snapshot as the runtime's neutral view.</summary>
    private ClusterView View()
    {
        // Pods of running workloads Berth restores where they are; every other bound pod holds capacity no queue is charged for.
        var managed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in _sources.Where(s => s.Admitted && s.Problem is null))
        {
            foreach (var (pod, _) in source.Members)
            {
                managed.Add(pod.Key);
            }
        }

        var disruptions = new List<QueueDisruptions>();
        foreach (var queue in _snapshot.Queues)
        {
            if (queue.Metadata?.Name is { } name && queue.Status?.RecentDisruptions is { Count: > 0 } times && _config.Queues.Any(q => q.Name == name))
            {
                disruptions.Add(new QueueDisruptions(name, times.Select(t => new DateTimeOffset(Utc(t))).ToArray()));
            }
        }

        return new ClusterView
        {
            Now = _snapshot.Now,
            Configuration = _config,
            Nodes = _nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal).ToArray(),
            Held = _pods.Where(p => p.Bound && !p.Terminal && !managed.Contains(p.Key)).Select(p => new HeldCapacity(p.Key, p.NodeName!, p.Request, p.GpuMask, p.Terminating)).ToArray(),
            Workloads = _sources.Select(ToView).ToArray(),
            RecentDisruptions = disruptions,
            Warnings = _plan.Warnings.ToArray(),
        };
    }

    private ViewWorkload ToView(WorkloadSource source) => new()
    {
        Id = source.Id,
        Kind = source.Kind switch
        {
            SourceKind.Job or SourceKind.Framework => WorkloadKind.Job,
            SourceKind.PodGroup => WorkloadKind.PodGroup,
            SourceKind.Gang => WorkloadKind.Gang,
            _ => WorkloadKind.Pod,
        },
        Workload = source.Workload,
        Created = source.Created,
        Running = source.Admitted,
        Memo = source.Record is { } record ? new AdmissionMemo(record.Flavor, record.AdmittedAt, record.Pods.Select(p => new PlannedPlacement(p.PodSet, p.Node, Gpus.MaskOf(p.Gpus), p.Milli)).ToArray()) : null,
        Members = source.Members.Select(m => new ViewPod(m.Pod.Key, m.Pod.Name, m.PodSet, m.Pod.Request, m.Pod.NodeName, m.Pod.GpuMask, m.Pod.BerthScheduled)).ToArray(),
        MissingMembers = source.MissingMembers,
        Problem = source.Problem is { } p ? new ViewProblem(p.Code, p.Message) : null,
        Requeues = source.Requeues,
        PodsReadyAt = source.QuotaReserved && !ChecksReady(source) ? _snapshot.Now : source.PodsReadyAt, // the ready timeout starts when it does
        ReadyPods = ReadyPods(source),
        GpuActivity = source.Admitted ? ActivityOf(source) : null,
        KeepsPlannedPlaces = source.Kind switch
        {
            SourceKind.Job => JobPodsUseBerth(source),
            SourceKind.Framework => (source.Owner is Frameworks.FrameworkObject obj && FrameworkPodsUseBerth(obj)) || (source.Members.Count > 0 && source.Members.All(m => m.Pod.BerthScheduled)),
            _ => true,
        },
    };

    /// <summary>The mean activity of a running workload's pods that have a sample; null when none has one (unknown, never idle).</summary>
    private double? ActivityOf(WorkloadSource source)
    {
        if (_snapshot.GpuActivity.Count == 0)
        {
            return null;
        }

        double sum = 0;
        var count = 0;
        foreach (var (pod, _) in source.Members)
        {
            if (_snapshot.GpuActivity.TryGetValue(pod.Key, out var activity))
            {
                sum += activity;
                count++;
            }
        }

        return count == 0 ? null : sum / count;
    }

    private ILookup<(string, string), PodInfo>? _podsByJob;
    private ILookup<(string, string), PodInfo>? _podsByGroup;

    /// <summary>Pods of a Job or PodGroup that are ready now or have succeeded, of a framework object that are ready now (0 where the pods-ready timeout cannot apply).</summary>
    private int ReadyPods(WorkloadSource source)
    {
        if (_options.PodsReadyTimeout is null || source.Kind is not (SourceKind.Job or SourceKind.PodGroup or SourceKind.Framework) || source.Record is null || source.PodsReadyAt is not null)
        {
            return 0;
        }

        if (source.Kind == SourceKind.Framework)
        {
            return source.Members.Count(m => !m.Pod.Terminating && m.Pod.View.Ready); // its live pods, found by the framework's labels
        }

        _podsByJob ??= _pods.Where(p => p.View.OwnerJob is not null).ToLookup(p => (p.Namespace, p.View.OwnerJob!));
        _podsByGroup ??= _pods.Where(p => p.View.PodGroup is not null).ToLookup(p => (p.Namespace, p.View.PodGroup!));
        var pods = (source.Kind == SourceKind.Job ? _podsByJob : _podsByGroup)[(source.Namespace, source.Name)];
        return pods.Count(p => p.View.Phase == "Succeeded" || (!p.Terminal && !p.Terminating && p.View.Ready));
    }

    private static bool JobPodsUseBerth(WorkloadSource source) =>
        source.Owner is V1Job job && string.Equals(job.Spec?.Template?.Spec?.SchedulerName, KubernetesNames.SchedulerName, StringComparison.Ordinal);

    /// <summary>PodScheduled reason of a pod of an elastic group beyond the count it was admitted with.</summary>
    public const string BeyondAdmittedCountReason = PodWaitReasons.BeyondAdmittedCount;

    /// <summary>Pending reason of a pod group whose admission was taken back while its pods still run.</summary>
    public const string EvictingReason = PodWaitReasons.Evicting;

    /// <summary>PodScheduled reason of the pods of an admitted workload whose nodes are still being freed.</summary>
    public const string WaitingForNodesReason = PodWaitReasons.WaitingForNodes;

    /// <summary>Reason of a Job or PodGroup requeued, or failed past the backoff limit, because its pods did not all become ready in time.</summary>
    public const string GangNotReadyReason = "GangNotReady";

    /// <summary>
    /// PodScheduled reason of the pods of a workload that waits because no node has room for it (Berth's code stays in
    /// the message): kube-scheduler's reason, the one the cluster autoscaler looks for to add nodes. Pods that wait
    /// for anything else (quota, a held queue, admission checks) carry Berth's code, and so do those of a workload that
    /// failed as <c>NeverFits</c> (its quota or its nodes can never hold it: it is not retried), so the autoscaler does not add
    /// nodes that quota would not let them use.
    /// </summary>
    public const string UnschedulableReason = "Unschedulable";

    /// <summary>Annotation on a queued Job: why it waits and its place in its queue.</summary>
    public const string PendingReasonAnnotation = "berth.dev/pending-reason";

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

    internal static IReadOnlyList<int> GpuList(int mask) => Gpus.Indices(mask);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
