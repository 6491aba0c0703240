using System.Globalization;
using Berth.Engine.Admission;
using Berth.Model;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

public sealed partial class DecisionPlanner
{
    /// <summary>Turns the cycle's plan into writes, step by step in its order.</summary>
    private void Render(CyclePlan cycle)
    {
        _plan.Engine = cycle.Engine;
        var sources = _sources.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var pods = _pods.ToDictionary(p => p.Key, StringComparer.Ordinal);
        _idle = cycle.Steps.OfType<IdleStep>().GroupBy(s => s.Workload, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Message, StringComparer.Ordinal);
        var gated = Gated(cycle, sources);
        var provisioning = ProvisioningReservations(cycle, sources);
        foreach (var step in cycle.Steps)
        {
            var source = sources[step.Workload];
            switch (step)
            {
                case AdmitStep admit when ChecksOf(source).Count > 0:
                    Reserve(source, admit);
                    break;
                case AdmitStep admit:
                    OnAdmitted(source, admit);
                    break;
                case BindStep when gated.Contains(source.Id):
                    break; // its admission checks are not all ready: the pods wait
                case BindStep bind:
                    _plan.Bindings.Add(Bind(pods[bind.Pod], bind, source));
                    break;
                case RequeueStep requeue:
                    Requeue(source, requeue.Reason.Code(), requeue.Message);
                    break;
                case CheckpointStep checkpoint:
                    var asked = pods[checkpoint.Pod];
                    _plan.Checkpoints.Add(new CheckpointPodAction(asked.Namespace, asked.Name, Stamp(_snapshot.Now), source.Id));
                    _plan.Events.Add(new EventAction(new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = asked.Name, NamespaceProperty = asked.Namespace, Uid = asked.Object.Metadata?.Uid }, "Warning", "CheckpointRequested", checkpoint.Message));
                    break;
                case EvictPodStep evict:
                    var pod = pods[evict.Pod];
                    _plan.Evictions.Add(new EvictPodAction(pod.Namespace, pod.Name, evict.Code, evict.Message, source.Id));
                    break;
                case PodWaitsStep when source.QuotaReserved && gated.Contains(source.Id):
                    break; // reserved while its admission checks run: its pods say that (OnReserved)
                case PodWaitsStep waits:
                    MarkUnschedulable(pods[waits.Pod], waits.Code, waits.Message, waits.WithEvent);
                    break;
                case PendingStep when provisioning.TryGetValue(source.Id, out var reserved):
                    ReserveWithoutNodes(source, reserved);
                    break;
                case PendingStep pending:
                    MarkPending(source, pending.Code, pending.Message, pending.Flavor, pending.Position, pending.ExpectedStart);
                    break;
                case RunningStep running when source.QuotaReserved:
                    OnReserved(source, running.Flavor);
                    break;
                case RunningStep when gated.Contains(source.Id):
                    break; // reserved in this cycle: what Reserve wrote stands
                case RunningStep running:
                    _plan.Admitted[source.Workload.Queue] = _plan.Admitted.GetValueOrDefault(source.Workload.Queue) + 1;
                    _plan.Outcomes.Add(Outcome(source) with { Running = true, Flavor = running.Flavor });
                    CountYield(source);
                    if (source.Kind == SourceKind.Job && source.Owner is V1Job job
                        && (job.Metadata?.Annotations is { } notes && notes.TryGetValue(KubernetesNames.GpuIdleAnnotation, out var noted) ? noted : null) != _idle.GetValueOrDefault(source.Id))
                    {
                        _plan.Annotations.Add(new AnnotateAction("Job", source.Namespace, source.Name, new Dictionary<string, string?> { [KubernetesNames.GpuIdleAnnotation] = _idle.GetValueOrDefault(source.Id) }));
                    }

                    if (source.Kind == SourceKind.PodGroup && source.Admitted)
                    {
                        var phase = source.Members.Count > 0 && source.Members.All(m => m.Pod.Bound) ? "Running" : "Admitted";
                        AddIfChanged(source, PodGroupStatus(source, phase, null, null, running.Flavor));
                    }

                    break;
                case PodsReadyStep:
                    _plan.Annotations.Add(new AnnotateAction(KindOf(source), source.Namespace, TargetOf(source), new Dictionary<string, string?>
                    {
                        [KubernetesNames.PodsReadyAnnotation] = Stamp(_snapshot.Now),
                        [KubernetesNames.RequeuesAnnotation] = null,
                        [KubernetesNames.BackoffUntilAnnotation] = null,
                    }));
                    break;
                case BackoffStep backoff:
                    _plan.Annotations.Add(new AnnotateAction(KindOf(source), source.Namespace, TargetOf(source), new Dictionary<string, string?>
                    {
                        [KubernetesNames.RequeuesAnnotation] = backoff.Requeues.ToString(CultureInfo.InvariantCulture),
                        [KubernetesNames.BackoffUntilAnnotation] = Stamp(backoff.Until),
                    }));
                    break;
                case IdleStep idle:
                    _plan.Idle[source.Workload.Queue] = _plan.Idle.GetValueOrDefault(source.Workload.Queue) + 1;
                    _plan.Events.Add(new EventAction(source.Reference, "Warning", "IdleGpu", idle.Message));
                    break;
                case StopStep stop:
                    Stop(source, stop.Code, stop.Message);
                    break;
                default:
                    throw new InvalidOperationException($"plan step {step.GetType().Name} has no rendering on Kubernetes");
            }
        }

        _plan.Warnings.AddRange(cycle.Warnings);
        _plan.Quota.AddRange(cycle.Quota.Select(q => (q.Queue, q.Flavor, q.Resource, q.Used, q.Nominal)));
        _plan.GpuAllocationRatio = cycle.GpuAllocationRatio;
        _plan.GpuFragmentationRatio = cycle.GpuFragmentationRatio;
        _plan.UnhealthyGpus = cycle.UnhealthyGpus;
        _plan.GpuCapacity = _nodes.Values.Sum(n => n.Node.GpuCount - System.Numerics.BitOperations.PopCount((uint)n.UnhealthyGpuMask));
        foreach (var queue in _config.Queues.Where(q => q.Cohort is not null))
        {
            _plan.Cohorts[queue.Name] = queue.Cohort!;
        }
    }

    /// <summary>Adds a running workload's GPUs to its queue's yield: allocated (its bound pods), and, where telemetry knows its activity, used and idle-allocated.</summary>
    private void CountYield(WorkloadSource source)
    {
        var allocated = source.Members.Where(m => m.Pod.Bound).Sum(m => m.Pod.Request.GpuDemandMilli) / 1000.0;
        var queue = source.Workload.Queue;
        var (a, u, i) = _plan.Yield.GetValueOrDefault(queue);
        var activity = ActivityOf(source);
        _plan.Yield[queue] = (a + allocated, u + (allocated * (activity ?? 0)), i + (activity is { } known ? allocated * (1 - known) : 0));
        var user = UserOf(source);
        foreach (var (pod, _) in source.Members)
        {
            if (!pod.Bound || pod.GpuMask is not { } mask || mask == 0 || pod.NodeName is not { } node || pod.Request.IsMig)
            {
                continue;
            }

            var model = _nodes.TryGetValue(node, out var n) ? n.Node.GpuModel ?? Translation.NodeTranslator.UnknownGpuModel : Translation.NodeTranslator.UnknownGpuModel;
            var share = Math.Min(1.0, pod.Request.GpuMilli / 1000.0);
            foreach (var gpu in Gpus.Indices(mask))
            {
                _plan.HeldGpus.Add(new HeldGpu(node, gpu, share, queue, Views.PendingWorkloads.JobId(source.Id), source.Namespace, user, model, activity));
            }
        }
    }

    /// <summary>Whom showback charges: the workload's <see cref="KubernetesNames.UserAnnotation"/> (annotation, else label; a lone pod's or gang's first pod's), else <c>unknown</c>.</summary>
    private static string UserOf(WorkloadSource source)
    {
        var meta = source.Owner switch
        {
            V1Job job => job.Metadata,
            Api.PodGroup group => group.Metadata,
            _ => source.Members.Count > 0 ? source.Members[0].Pod.Object.Metadata : null,
        };
        return meta?.Annotations?.TryGetValue(KubernetesNames.UserAnnotation, out var a) == true && !string.IsNullOrWhiteSpace(a) ? a
            : meta?.Labels?.TryGetValue(KubernetesNames.UserAnnotation, out var l) == true && !string.IsNullOrWhiteSpace(l) ? l
            : "unknown";
    }

    /// <summary>The kind of object a Job-like workload's writes go to: Job, the framework's kind, the anchor Pod (<see cref="WorkloadSource.Anchor"/>), else PodGroup.</summary>
    private static string KindOf(WorkloadSource source) => source.Kind switch
    {
        _ when source.Anchor is not null => "Pod",
        SourceKind.Job => "Job",
        SourceKind.Framework => source.Reference.Kind,
        _ when source.Owner is Frameworks.FrameworkObject => source.Reference.Kind,
        _ => Api.PodGroup.KubeKind,
    };

    private void OnAdmitted(WorkloadSource source, AdmitStep admit)
    {
        var flavor = admit.Flavor;
        var record = Seal.Sign(new AdmissionRecord
        {
            Flavor = flavor.Name,
            AdmittedAt = admit.Memo.AdmittedAt,
            Pods = admit.Memo.Pods.Select(p => new PlannedPod(p.PodSet, p.Node, GpuList(p.GpuMask), p.GpuMilli)).ToArray(),
        }, source.Reference.Uid);
        _plan.AdmissionWaits.Add(Math.Max(0, (_snapshot.Now - source.Created).TotalSeconds));
        var nodes = string.Join(", ", record.Pods.Select(p => p.Node).Distinct(StringComparer.Ordinal).Take(8));
        _plan.Events.Add(new EventAction(source.Reference, "Normal", "Admitted", $"admitted by queue {source.Workload.Queue} in flavor {flavor.Name} ({record.Pods.Count} pods on {nodes})"));
        switch (source.Kind)
        {
            case SourceKind.Job or SourceKind.Framework:
                _plan.JobAdmissions.Add(new AdmitJobAction(source.Namespace, source.Name, record, flavor.NodeLabels, flavor.Tolerations.Select(ToV1).ToArray(), KindOf(source)));
                break;
            case SourceKind.PodGroup:
                _plan.Annotations.Add(new AnnotateAction(Api.PodGroup.KubeKind, source.Namespace, source.Name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = record.ToJson() }));
                _plan.ObjectStatuses.Add(PodGroupStatus(source, "Admitted", null, null, flavor.Name));
                break;
        }
    }

    /// <summary>
    /// The binding of one pod. Its annotations land on the pod: the GPUs it got, and for a PodGroup the provisioning
    /// check put on it (or on the first pod, for pods without an object), the ProvisioningRequest the cluster autoscaler booked for it (so Berth needs no pod patch).
    /// </summary>
    private static BindAction Bind(PodInfo pod, BindStep bind, WorkloadSource source)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (((source.Owner as Api.PodGroup)?.Metadata ?? source.Anchor?.Object.Metadata)?.Annotations is { } owner)
        {
            foreach (var key in new[] { KubernetesNames.ConsumeProvisioningRequestAnnotation, KubernetesNames.ProvisioningClassNameAnnotation })
            {
                if (owner.TryGetValue(key, out var value))
                {
                    annotations[key] = value;
                }
            }
        }

        if (pod.View.Pod.IsMig || pod.View.Pod.SharedGpuReplicas > 0)
        {
            foreach (var (key, value) in Translation.SharedAssignment.Annotations(pod.View.Pod, bind.GpuMask))
            {
                annotations[key] = value;
            }
        }
        else if (bind.GpuCount > 0)
        {
            annotations[KubernetesNames.GpuIndicesAnnotation] = string.Join(',', GpuList(bind.GpuMask));
            annotations[KubernetesNames.GpuMilliAnnotation] = bind.GpuMilli.ToString(CultureInfo.InvariantCulture);
        }

        return new BindAction(pod.Namespace, pod.Name, bind.Node, annotations, bind.Workload);
    }

    /// <summary>Sends a running workload back to its queue: a Job is suspended (its pods go, it keeps its place), pods are evicted.</summary>
    private void Requeue(WorkloadSource source, string reason, string message)
    {
        _plan.Events.Add(new EventAction(source.Reference, "Warning", reason, message));
        _plan.EvictionReasons.Add(reason);
        if (source.Kind is SourceKind.Job or SourceKind.Framework)
        {
            _plan.Suspensions.Add(new SuspendJobAction(source.Namespace, source.Name, reason, message, Kind: KindOf(source)));
            return;
        }

        foreach (var (pod, _) in source.Members.Where(m => m.Pod.Bound))
        {
            _plan.Evictions.Add(new EvictPodAction(pod.Namespace, pod.Name, reason, message, source.Id));
        }

        if (source.Kind == SourceKind.PodGroup)
        {
            _plan.Annotations.Add(new AnnotateAction(Api.PodGroup.KubeKind, source.Namespace, source.Name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = null, [KubernetesNames.QuotaReservedAnnotation] = null }));
            _plan.ObjectStatuses.Add(PodGroupStatus(source, "Pending", reason, message, null, evictedFor: reason));
        }
    }

    /// <summary>
    /// Stops a workload for good (its queue reclaimed its idle GPUs, it ran past its max run time, or an admission check
    /// rejected its reservation): a Job is suspended and annotated in one write, a PodGroup's pods are evicted and the
    /// group annotated and marked Failed; plain pods are evicted. The annotation
    /// (<see cref="KubernetesNames.IdleReclaimedAnnotation"/>, <see cref="KubernetesNames.MaxRunTimeExceededAnnotation"/>
    /// or <see cref="KubernetesNames.AdmissionCheckRejectedAnnotation"/>) keeps it from being admitted again.
    /// </summary>
    private void Stop(WorkloadSource source, string reason, string message)
    {
        _plan.Events.Add(new EventAction(source.Reference, "Warning", reason, message));
        _plan.EvictionReasons.Add(reason);
        var stamp = Stamp(_snapshot.Now);
        var (marker, why) = reason switch
        {
            WorkloadLifecycle.MaxRunTimeExceededReason => (KubernetesNames.MaxRunTimeExceededAnnotation, OverdueMessage(source, stamp)),
            CheckRejectedReason => (KubernetesNames.AdmissionCheckRejectedAnnotation, RejectedMessage(source, stamp)),
            _ => (KubernetesNames.IdleReclaimedAnnotation, ReclaimedMessage(source, stamp)),
        };
        if (source.Kind is SourceKind.Job or SourceKind.Framework)
        {
            _plan.Suspensions.Add(new SuspendJobAction(source.Namespace, source.Name, reason, message, new Dictionary<string, string> { [marker] = stamp }, KindOf(source)));
            return;
        }

        foreach (var (pod, _) in source.Members.Where(m => m.Pod.Bound))
        {
            _plan.Evictions.Add(new EvictPodAction(pod.Namespace, pod.Name, reason, message, source.Id));
        }

        if (source.Kind == SourceKind.PodGroup)
        {
            _plan.Annotations.Add(new AnnotateAction(Api.PodGroup.KubeKind, source.Namespace, source.Name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = null, [KubernetesNames.QuotaReservedAnnotation] = null, [marker] = stamp }));
            _plan.ObjectStatuses.Add(PodGroupStatus(source, "Failed", reason, why, null, evictedFor: reason));
        }
        else if (source.Anchor is { } anchor)
        {
            _plan.Annotations.Add(new AnnotateAction("Pod", source.Namespace, anchor.Name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = null, [KubernetesNames.QuotaReservedAnnotation] = null, [marker] = stamp }));
        }
    }

    /// <summary>What a workload stopped for idle GPUs says while it stays stopped.</summary>
    private static string ReclaimedMessage(WorkloadSource source, string at) =>
        $"its idle GPUs were reclaimed at {at} under queue {source.Workload.Queue}'s idleGpus policy; it is not admitted again: submit it anew, or remove the annotation {KubernetesNames.IdleReclaimedAnnotation} to run it again";

    /// <summary>What a workload stopped for running past its max run time says while it stays stopped.</summary>
    private static string OverdueMessage(WorkloadSource source, string at) =>
        $"it ran past its spec.maxRunTime ({source.Workload.MaxRunTime?.TotalSeconds:0}s) and was stopped at {at}; it is not admitted again: submit it anew, or remove the annotation {KubernetesNames.MaxRunTimeExceededAnnotation} to run it again";

    private void MarkPending(WorkloadSource source, string code, string message, string? flavor, int? position = null, DateTimeOffset? expectedStart = null)
    {
        var key = (source.Workload.Queue, code);
        _plan.Pending[key] = _plan.Pending.GetValueOrDefault(key) + 1;
        _plan.Outcomes.Add(Outcome(source) with { Code = code, Message = message, Flavor = flavor, Position = position, ExpectedStart = expectedStart });
        var text = position is { } p ? $"{code}: {message} (position {p} in queue {source.Workload.Queue})" : $"{code}: {message}";
        switch (source.Kind)
        {
            case SourceKind.PodGroup:
                AddIfChanged(source, PodGroupStatus(source, code is nameof(PendingReasonCode.NeverFits) or GangNotReadyReason or IdleGpus.ReclaimedReason or WorkloadLifecycle.MaxRunTimeExceededReason or CheckRejectedReason ? "Failed" : "Pending", code, message, flavor, position, expectedStart));
                break;
            case SourceKind.Job or SourceKind.Framework or SourceKind.Gang when ((source.Owner as V1Job)?.Metadata ?? (source.Owner as Frameworks.FrameworkObject)?.Metadata) is { } meta:
                var current = meta.Annotations?.TryGetValue(PendingReasonAnnotation, out var value) == true ? value : null;
                if (!string.Equals(current, text, StringComparison.Ordinal))
                {
                    _plan.Annotations.Add(new AnnotateAction(KindOf(source), source.Namespace, TargetOf(source), new Dictionary<string, string?> { [PendingReasonAnnotation] = text }));
                    if (current is null || !current.StartsWith(code + ":", StringComparison.Ordinal))
                    {
                        _plan.Events.Add(new EventAction(source.Reference, "Normal", code, text));
                    }
                }

                break;
        }

        // Pods the autoscaler should add nodes for say Unschedulable, unless a ProvisioningRequest already asks for them.
        var asked = ((source.Owner as Api.PodGroup)?.Metadata ?? source.Anchor?.Object.Metadata)?.Annotations?.ContainsKey(KubernetesNames.ProvisioningRequestAnnotation) == true;
        var podReason = code is nameof(PendingReasonCode.NoNodeFits) or nameof(PendingReasonCode.GangIncomplete) && !asked ? UnschedulableReason : code;
        foreach (var (pod, _) in source.Members.Where(m => !m.Pod.Bound && m.Pod.BerthScheduled))
        {
            MarkUnschedulable(pod, podReason, text, withEvent: true);
        }
    }

    private static WorkloadOutcome Outcome(WorkloadSource source) => new()
    {
        Id = source.Id,
        Kind = source.Kind == SourceKind.Framework ? source.Reference.Kind : source.Kind.ToString(),
        Namespace = source.Namespace,
        Name = source.Name,
        Queue = source.Workload.Queue,
        Priority = source.Workload.Priority,
        Created = source.Created,
        Gpus = source.Workload.Request.GpuMilli / 1000.0,
        Pods = source.Workload.PodCount,
        AdmittedAt = source.Record?.AdmittedAt,
        PodKeys = source.Members.Select(m => m.Pod.Key).ToArray(),
    };

    private void AddIfChanged(WorkloadSource source, StatusAction status)
    {
        if (source.Owner is Api.PodGroup group && SameStatus(group.Status, (Api.PodGroupStatus)status.Status))
        {
            return;
        }

        _plan.ObjectStatuses.Add(status);
    }

    /// <summary>True when a pod group's status says what the planner would write (condition times aside).</summary>
    private static bool SameStatus(Api.PodGroupStatus? current, Api.PodGroupStatus wanted)
    {
        if (current is null)
        {
            return false;
        }

        var a = current.PendingReason;
        var b = wanted.PendingReason;
        var sameReason = (a is null && b is null) || (a is not null && b is not null && a.Code == b.Code && a.Message == b.Message && a.Flavor == b.Flavor);
        var sameCondition = (wanted.Conditions ?? []).All(w => current.Conditions?.FirstOrDefault(c => c?.Type == w.Type) is { } c && c.Status == w.Status && c.Reason == w.Reason)
            && current.Conditions?.FirstOrDefault(c => c?.Type == Api.ConditionTypes.GpuIdle)?.Message == wanted.Conditions?.FirstOrDefault(c => c?.Type == Api.ConditionTypes.GpuIdle)?.Message;
        return current.Phase == wanted.Phase && sameReason && sameCondition && current.QueuePosition == wanted.QueuePosition
            && current.AdmittedFlavor == wanted.AdmittedFlavor && current.ExpectedStart?.ToUniversalTime() == wanted.ExpectedStart?.ToUniversalTime();
    }

    private StatusAction PodGroupStatus(WorkloadSource source, string phase, string? code, string? message, string? flavor, int? position = null, DateTimeOffset? expectedStart = null, string? evictedFor = null) =>
        new(Api.PodGroup.KubePluralName, source.Namespace, source.Name, new Api.PodGroupStatus
        {
            Phase = phase,
            PendingReason = code is null ? null : new Api.PendingReasonStatus { Code = code, Message = message ?? string.Empty, Flavor = flavor },
            QueuePosition = position,
            ExpectedStart = expectedStart?.UtcDateTime,
            AdmittedFlavor = code is null ? flavor : null,
            Conditions =
            [
                .. GroupConditions(source, phase, code, message, flavor, evictedFor, message),
                .. code is null && _idle.TryGetValue(source.Id, out var idle)
                    ? [new V1Condition { Type = Api.ConditionTypes.GpuIdle, Status = "True", Reason = IdleGpus.IdleReason, Message = idle, LastTransitionTime = _snapshot.Now.UtcDateTime }]
                    : Array.Empty<V1Condition>(),
            ],
        });

    private static V1Toleration ToV1(Toleration t) => new()
    {
        Key = t.Key,
        OperatorProperty = t.Operator == TolerationOperator.Exists ? "Exists" : "Equal",
        Value = t.Operator == TolerationOperator.Exists ? null : t.Value,
        Effect = t.Effect?.ToString(),
    };
}
