using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

public sealed partial class DecisionPlanner
{
    /// <summary>Runs the admission cycle and turns its outcome into writes: admissions, bindings, suspensions, evictions.</summary>
    private void Admit()
    {
        var engine = _engine!;
        engine.Schedule();
        var evictedBy = new Dictionary<string, AdmissionEvent>(StringComparer.Ordinal);
        foreach (var e in engine.DrainEvents())
        {
            if (e.Kind == AdmissionEventKind.Evicted)
            {
                evictedBy[e.Workload] = e;
            }
        }

        // Victims first: the nodes they leave are contended until their pods are gone.
        foreach (var source in _sources.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            // Evicted in this cycle, whatever came after: a workload consolidation moved, or an elastic one evicted
            // and admitted again smaller, is admitted in the engine at new places; pods cannot move, so on a cluster
            // that is an eviction too: its pods leave (their nodes stay contended until they are gone) and it is
            // admitted again from its queue.
            if (source.Admitted && evictedBy.TryGetValue(source.Id, out var e))
            {
                var by = e.By is null ? string.Empty : $" by {e.By}";
                Requeue(source, e.Reason ?? "Preempted", $"{e.Reason ?? "preempted"}{by}{(string.IsNullOrEmpty(e.Detail) ? string.Empty : ": " + e.Detail)}");
            }
        }

        foreach (var source in _sources.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            if (!source.Admitted && engine.Find(source.Id) is { Phase: WorkloadPhase.Admitted } state)
            {
                OnAdmitted(source, state);
            }
        }
    }

    private void OnAdmitted(WorkloadSource source, WorkloadState state)
    {
        var engine = _engine!;
        var flavor = engine.Flavors[state.Flavor];
        var record = Seal.Sign(new AdmissionRecord
        {
            Flavor = flavor.Name,
            AdmittedAt = _snapshot.Now,
            Pods = state.Pods.Select(p => new PlannedPod(p.PodSet, engine.Cluster.Nodes[p.Node].Name, Gpus(p.GpuMask), p.Pod.GpuMilli)).ToArray(),
        }, source.Reference.Uid);
        _plan.AdmissionWaits.Add(Math.Max(0, (_snapshot.Now - source.Created).TotalSeconds));
        var nodes = string.Join(", ", record.Pods.Select(p => p.Node).Distinct(StringComparer.Ordinal).Take(8));
        _plan.Events.Add(new EventAction(source.Reference, "Normal", "Admitted", $"admitted by queue {source.Workload.Queue} in flavor {flavor.Name} ({state.Pods.Count} pods on {nodes})"));
        switch (source.Kind)
        {
            case SourceKind.Job:
                _plan.JobAdmissions.Add(new AdmitJobAction(source.Namespace, source.Name, record, flavor.NodeLabels, flavor.Tolerations.Select(ToV1).ToArray()));
                return;
            case SourceKind.PodGroup:
                _plan.Annotations.Add(new AnnotateAction(Api.PodGroup.KubeKind, source.Namespace, source.Name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = record.ToJson() }));
                _plan.ObjectStatuses.Add(PodGroupStatus(source, "Admitted", null, null, flavor.Name));
                break;
        }

        if (WaitsForNodes(source, state))
        {
            return;
        }

        var free = state.Pods.ToList();
        foreach (var (pod, set) in source.Members.Where(m => !m.Pod.Bound && m.Pod.BerthScheduled))
        {
            var index = free.FindIndex(p => p.PodSet == set);
            if (index >= 0)
            {
                _plan.Bindings.Add(Bind(pod, free[index], source.Id));
                free.RemoveAt(index);
            }
        }
    }

    /// <summary>Sends a running workload back to its queue: a Job is suspended (its pods go, it keeps its place), pods are evicted.</summary>
    private void Requeue(WorkloadSource source, string reason, string message)
    {
        _requeued.Add(source.Id);
        _plan.Bindings.RemoveAll(b => b.Workload == source.Id); // its remaining pods, planned earlier in this decision, stay unbound
        _plan.Events.Add(new EventAction(source.Reference, "Warning", reason, message));
        _plan.EvictionReasons.Add(reason);
        foreach (var (pod, _) in source.Members.Where(m => m.Pod.Bound))
        {
            _contended.Add(pod.NodeName!); // its pods still hold the node until they are gone
        }

        if (source.Kind == SourceKind.Job)
        {
            _plan.Suspensions.Add(new SuspendJobAction(source.Namespace, source.Name, reason, message));
            return;
        }

        foreach (var (pod, _) in source.Members.Where(m => m.Pod.Bound))
        {
            _plan.Evictions.Add(new EvictPodAction(pod.Namespace, pod.Name, reason, message, source.Id));
        }

        if (source.Kind == SourceKind.PodGroup)
        {
            _plan.Annotations.Add(new AnnotateAction(Api.PodGroup.KubeKind, source.Namespace, source.Name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = null }));
            _plan.ObjectStatuses.Add(PodGroupStatus(source, "Pending", reason, message, null));
        }
    }

    /// <summary>Records why every workload that is not running waits, and its place in its queue.</summary>
    private void Explain()
    {
        var engine = _engine!;
        foreach (var source in _sources.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var state = engine.Find(source.Id);
            if (_requeued.Contains(source.Id))
            {
                continue; // what Requeue wrote stands
            }

            if (state is { Phase: WorkloadPhase.Admitted })
            {
                _plan.Admitted[source.Workload.Queue] = _plan.Admitted.GetValueOrDefault(source.Workload.Queue) + 1;
                if (source.Kind == SourceKind.PodGroup && source.Admitted)
                {
                    var phase = source.Members.Count > 0 && source.Members.All(m => m.Pod.Bound) ? "Running" : "Admitted";
                    AddIfChanged(source, PodGroupStatus(source, phase, null, null, engine.Flavors[state.Flavor].Name));
                }

                continue;
            }

            if (state is null)
            {
                if (source.Problem is { } problem)
                {
                    MarkPending(source, problem.Code, problem.Message, null);
                }
                else if (source.MissingMembers > 0)
                {
                    MarkPending(source, nameof(PendingReasonCode.GangIncomplete), $"{source.Members.Count} pods of the group exist; it needs {source.MissingMembers} more before it can be admitted", null);
                }

                continue;
            }

            if (state.Phase == WorkloadPhase.Failed)
            {
                continue; // reported when submitted
            }

            var reason = engine.ReasonOf(state);
            MarkPending(source, reason.Code.ToString(), string.IsNullOrEmpty(reason.Unblock) ? reason.Message : $"{reason.Message}; unblocked when {reason.Unblock}", reason.Flavor, engine.PositionInQueue(source.Id), state.ExpectedStart is { } start ? _snapshot.Now + start : null);
        }
    }

    private void MarkPending(WorkloadSource source, string code, string message, string? flavor, int? position = null, DateTimeOffset? expectedStart = null)
    {
        var key = (source.Workload.Queue, code);
        _plan.Pending[key] = _plan.Pending.GetValueOrDefault(key) + 1;
        var text = position is { } p ? $"{code}: {message} (position {p} in queue {source.Workload.Queue})" : $"{code}: {message}";
        switch (source.Kind)
        {
            case SourceKind.PodGroup:
                AddIfChanged(source, PodGroupStatus(source, code is nameof(PendingReasonCode.NeverFits) or GangNotReadyReason ? "Failed" : "Pending", code, message, flavor, position, expectedStart));
                break;
            case SourceKind.Job when source.Owner is V1Job job:
                var current = job.Metadata?.Annotations?.TryGetValue(PendingReasonAnnotation, out var value) == true ? value : null;
                if (!string.Equals(current, text, StringComparison.Ordinal))
                {
                    _plan.Annotations.Add(new AnnotateAction("Job", source.Namespace, source.Name, new Dictionary<string, string?> { [PendingReasonAnnotation] = text }));
                    if (current is null || !current.StartsWith(code + ":", StringComparison.Ordinal))
                    {
                        _plan.Events.Add(new EventAction(source.Reference, "Normal", code, text));
                    }
                }

                break;
        }

        foreach (var (pod, _) in source.Members.Where(m => !m.Pod.Bound && m.Pod.BerthScheduled))
        {
            MarkUnschedulable(pod, code, text, withEvent: true);
        }
    }

    /// <summary>Annotation on a queued Job: why it waits and its place in its queue.</summary>
    public const string PendingReasonAnnotation = "berth.dev/pending-reason";

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
        var ca = current.Conditions?.FirstOrDefault(c => c?.Type == Api.ConditionTypes.Admitted);
        var cb = wanted.Conditions?.FirstOrDefault(c => c?.Type == Api.ConditionTypes.Admitted);
        var sameCondition = ca?.Status == cb?.Status && ca?.Reason == cb?.Reason;
        return current.Phase == wanted.Phase && sameReason && sameCondition && current.QueuePosition == wanted.QueuePosition
            && current.AdmittedFlavor == wanted.AdmittedFlavor && current.ExpectedStart?.ToUniversalTime() == wanted.ExpectedStart?.ToUniversalTime();
    }

    private StatusAction PodGroupStatus(WorkloadSource source, string phase, string? code, string? message, string? flavor, int? position = null, DateTimeOffset? expectedStart = null) =>
        new(Api.PodGroup.KubePluralName, source.Namespace, source.Name, new Api.PodGroupStatus
        {
            Phase = phase,
            PendingReason = code is null ? null : new Api.PendingReasonStatus { Code = code, Message = message ?? string.Empty, Flavor = flavor },
            QueuePosition = position,
            ExpectedStart = expectedStart?.UtcDateTime,
            AdmittedFlavor = code is null ? flavor : null,
            Conditions =
            [
                new V1Condition
                {
                    Type = Api.ConditionTypes.Admitted,
                    Status = code is null ? "True" : "False",
                    Reason = code ?? "Admitted",
                    Message = message ?? (flavor is null ? "admitted" : $"admitted in flavor {flavor}"),
                    LastTransitionTime = _snapshot.Now.UtcDateTime,
                },
            ],
        });

    /// <summary>Gauges of the cycle: quota usage, GPU allocation and fragmentation.</summary>
    private void Measure()
    {
        var engine = _engine!;
        var quotas = engine.Quotas;
        for (var q = 0; q < quotas.QueueCount; q++)
        {
            for (var f = 0; f < quotas.Flavors.Count; f++)
            {
                if (!quotas.QueueHasFlavor(q, f))
                {
                    continue;
                }

                foreach (var (kind, name, scale) in new[] { (ResourceKind.Gpu, "gpu", 1e-3), (ResourceKind.Cpu, "cpu", 1e-3), (ResourceKind.Memory, "memory", 1024.0 * 1024) })
                {
                    _plan.Quota.Add((quotas.QueueNames[q], quotas.Flavors[f], name, quotas.Usage(q, f, kind) * scale, quotas.Nominal(q, f, kind) * scale));
                }
            }
        }

        var cluster = engine.Cluster;
        long unhealthy = 0;
        foreach (var node in _nodes.Values)
        {
            unhealthy += System.Numerics.BitOperations.PopCount((uint)node.UnhealthyGpuMask) * (long)Limits.GpuMilliPerGpu;
        }

        // Unhealthy GPUs and what is free on unusable nodes are withheld: neither is capacity nor allocation.
        var total = cluster.TotalGpuMilli - unhealthy - _withheldUnusableGpuMilli;
        _plan.GpuAllocationRatio = total > 0 ? (double)(cluster.AllocatedGpuMilli - unhealthy - _withheldUnusableGpuMilli) / total : 0;
        long free = 0, partial = 0;
        for (var n = 0; n < cluster.NodeCount; n++)
        {
            foreach (var g in cluster.GpuFreeOf(n))
            {
                free += g;
                if (g is > 0 and < Limits.GpuMilliPerGpu)
                {
                    partial += g;
                }
            }
        }

        _plan.GpuFragmentationRatio = free > 0 ? (double)partial / free : 0;
    }

    private static V1Toleration ToV1(Toleration t) => new()
    {
        Key = t.Key,
        OperatorProperty = t.Operator == TolerationOperator.Exists ? "Exists" : "Equal",
        Value = t.Operator == TolerationOperator.Exists ? null : t.Value,
        Effect = t.Effect?.ToString(),
    };
}
