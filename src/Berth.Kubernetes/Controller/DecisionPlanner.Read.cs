using Berth.Engine.Admission;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Translation;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.View;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>Reading the snapshot: Berth's objects into the queueing model, nodes, pods, and pods grouped into workloads.</summary>
public sealed partial class DecisionPlanner
{
    /// <summary>Submit times are offsets from this instant: fixed, so first-come-first-served order survives restarts.</summary>
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    private QueueTranslation? _translation;
    private IReadOnlyDictionary<string, PriorityClass> _priorityClasses = new Dictionary<string, PriorityClass>();

    private void TranslateQueues()
    {
        _translation = QueueTranslator.Translate(_snapshot.Flavors, _snapshot.Cohorts, _snapshot.Queues);
        _config = _translation.Configuration;
        foreach (var flavor in _snapshot.Flavors)
        {
            ReportVerdict(Api.Flavor.KubeKind, Api.Flavor.KubePluralName, flavor.Metadata?.Name, flavor.Status?.Conditions, c => new FlavorStatus { Conditions = c });
        }

        foreach (var cohort in _snapshot.Cohorts)
        {
            ReportVerdict(Api.Cohort.KubeKind, Api.Cohort.KubePluralName, cohort.Metadata?.Name, cohort.Status?.Conditions, c => new CohortStatus { Conditions = c });
        }

        foreach (var invalid in _translation.Invalid)
        {
            _plan.Warnings.Add($"{invalid.Kind} {invalid.Name}: {invalid.Message}");
        }
    }

    /// <summary>Writes an object's Ready condition when it changed (status, reason or message); the transition time stays when the status did not flip.</summary>
    private void ReportVerdict(string kind, string plural, string? name, IList<V1Condition>? current, Func<IList<V1Condition>, object> status)
    {
        if (name is null || _translation!.Verdict(kind, name) is not { } verdict)
        {
            return;
        }

        if (NewReadyCondition(verdict, current) is { } conditions)
        {
            _plan.ObjectStatuses.Add(new StatusAction(plural, null, name, status(conditions)));
        }
    }

    /// <summary>The object's conditions with its Ready condition replaced by the verdict's, or null when nothing would change.</summary>
    private List<V1Condition>? NewReadyCondition(ObjectVerdict verdict, IList<V1Condition>? current)
    {
        var old = current?.FirstOrDefault(c => c?.Type == ConditionTypes.Ready);
        var wanted = verdict.ToCondition(_snapshot.Now.UtcDateTime);
        if (old is not null && old.Status == wanted.Status && old.Reason == wanted.Reason && old.Message == wanted.Message && old.ObservedGeneration == wanted.ObservedGeneration)
        {
            return null;
        }

        if (old is not null && old.Status == wanted.Status)
        {
            wanted.LastTransitionTime = old.LastTransitionTime;
        }

        var conditions = (current ?? []).Where(c => c is not null && c.Type != ConditionTypes.Ready).ToList();
        conditions.Add(wanted);
        return conditions;
    }

    private void ReadNodes()
    {
        foreach (var node in _snapshot.Nodes.OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
        {
            var view = NodeTranslator.Translate(node, _options.TerminationConditions);
            var name = view.Node.Name;
            if (string.IsNullOrEmpty(name) || _nodes.ContainsKey(name))
            {
                continue;
            }

            foreach (var warning in view.Warnings)
            {
                _plan.Warnings.Add($"node {name}: {warning}");
            }

            Notice(new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = name, Uid = node.Metadata?.Uid }, view.Warnings);

            var ready = node.Status?.Conditions?.FirstOrDefault(c => c?.Type == "Ready") is { Status: "True" };
            var allGpus = view.Node.GpuCount >= 32 ? -1 : (1 << view.Node.GpuCount) - 1;
            var unhealthy = view.GpusUnhealthy ? allGpus : (Gpus.MaskOf(view.UnhealthyGpus) | _snapshot.TelemetryUnhealthyGpus.GetValueOrDefault(name)) & allGpus;
            _nodes[name] = new ViewNode(view.Node, view.Schedulable, ready, unhealthy) { TerminationNotice = view.TerminationNotice };
            GpuHealthCondition(node, name);
        }
    }

    /// <summary>
    /// Berth's GPU-health condition on a node, when telemetry has read health and the node's condition says otherwise:
    /// False naming the GPUs it holds out, True once they are back (a node that never had one gets none).
    /// </summary>
    private void GpuHealthCondition(V1Node node, string name)
    {
        if (!_snapshot.TelemetryHealthKnown)
        {
            return;
        }

        var current = node.Status?.Conditions?.FirstOrDefault(c => c?.Type == KubernetesNames.GpuHealthCondition);
        var mask = _snapshot.TelemetryUnhealthyGpus.GetValueOrDefault(name);
        if (mask != 0)
        {
            var message = $"GPUs {Gpus.Format(mask)} unhealthy from GPU telemetry (DCGM XID, ECC, NVLink or row-remap errors; events {KubernetesNames.GpuUnhealthyReason}); Berth withholds them until clean readings";
            if (current is not { Status: "False" } || current.Message != message)
            {
                _plan.NodeConditions.Add(new NodeConditionAction(name, false, KubernetesNames.GpuUnhealthyReason, message));
            }
        }
        else if (current is { Status: "False" })
        {
            _plan.NodeConditions.Add(new NodeConditionAction(name, true, KubernetesNames.GpuHealthyReason, "every GPU Berth held out is back in service"));
        }
    }

    private void ReadPods()
    {
        foreach (var pod in _snapshot.Pods)
        {
            var view = PodTranslator.Translate(pod);
            if (string.IsNullOrEmpty(view.Name))
            {
                continue;
            }

            _pods.Add(new PodInfo(pod, view, view.AssignedMask));
            if (view.IsBerthScheduled)
            {
                Notice(new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = view.Name, NamespaceProperty = view.Namespace, Uid = view.Uid }, view.Warnings);
            }
        }

        _pods.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        _priorityClasses = PriorityClassTranslator.Lookup(_snapshot.PriorityClasses);
    }

    /// <summary>Groups pods into workloads: queued Jobs and their pods, PodGroups and their members, label-only gangs, lone pods.</summary>
    private void GroupWorkloads()
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var live = _pods.Where(p => !p.Terminal && !p.Terminating).ToList();
        ReadJobs(live, taken);
        ReadFrameworks(live, taken);
        ReadPodGroups(live, taken);
        ReadGangs(live, taken);
        ReadLonePods(live, taken);
        var admission = _options.ToAdmissionOptions();
        for (var i = 0; i < _sources.Count; i++)
        {
            var source = _sources[i] = Anchored(_sources[i]);
            if (source.Admitted || source.Problem is not null)
            {
                continue;
            }

            if (source.IdleReclaimedAt is { } reclaimedAt)
            {
                _sources[i] = source.WithProblem(IdleGpus.ReclaimedReason, ReclaimedMessage(source, reclaimedAt));
                continue;
            }

            if (source.MaxRunTimeExceededAt is { } overdueAt)
            {
                _sources[i] = source.WithProblem(WorkloadLifecycle.MaxRunTimeExceededReason, OverdueMessage(source, overdueAt));
                continue;
            }

            if (source.CheckRejectedAt is { } rejectedAt)
            {
                _sources[i] = source.WithProblem(CheckRejectedReason, RejectedMessage(source, rejectedAt));
                continue;
            }

            if (WorkloadLifecycle.HeldBack(source.Requeues, source.BackoffUntil, _snapshot.Now, admission, KubernetesNames.RequeuesAnnotation) is { } held)
            {
                _sources[i] = source.WithProblem(held.Code, held.Message);
            }
        }

        var queues = _config.Queues.Select(q => q.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < _sources.Count; i++)
        {
            var source = _sources[i];
            if (source.Problem is null && !queues.Contains(source.Workload.Queue))
            {
                var invalid = _translation!.Verdict(Api.Queue.KubeKind, source.Workload.Queue);
                var message = invalid is null
                    ? $"queue {source.Workload.Queue} does not exist; create it or fix the queue label"
                    : $"queue {source.Workload.Queue} is not valid ({invalid.Reason}: {invalid.Message}); fix the Queue";
                _sources[i] = source.WithProblem("QueueUnknown", message);
            }
            else if (source.Problem is null && !source.Admitted && _snapshot.Queues.FirstOrDefault(q => q.Metadata?.Name == source.Workload.Queue) is { } queue
                && !Translation.NamespaceAccess.Allows(queue, Translation.NamespaceAccess.LabelsOf(source.Namespace, _snapshot.Namespaces)))
            {
                _sources[i] = source.WithProblem(QueueNotAllowedReason, $"namespace {source.Namespace} may not use queue {source.Workload.Queue} (its namespaceSelector is {Translation.NamespaceAccess.Describe(queue.Spec?.NamespaceSelector)}); use a queue your namespace may use, or ask its owner to add the namespace");
            }
        }

        _sources.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
    }

    /// <summary>
    /// Pods with no object of their own in a queue with admission checks: their reservation, check states, retries and
    /// backoff live on the first member by name (see <see cref="WorkloadSource.Anchor"/>); other sources as they are.
    /// </summary>
    private WorkloadSource Anchored(WorkloadSource source)
    {
        if (source.Kind is not (SourceKind.Gang or SourceKind.Pod) || source.Owner is not null || source.Members.Count == 0 || ChecksOf(source).Count == 0)
        {
            return source;
        }

        var anchor = source.Members.Select(m => m.Pod).OrderBy(p => p.Name, StringComparer.Ordinal).First();
        var meta = anchor.Object.Metadata ?? new V1ObjectMeta();
        var record = Seal.Open(meta);
        var reserved = meta.Annotations?.ContainsKey(KubernetesNames.QuotaReservedAnnotation) == true;
        var rejected = meta.Annotations?.TryGetValue(KubernetesNames.AdmissionCheckRejectedAnnotation, out var at) == true ? at : null;
        return source.WithAnchor(anchor, record, reserved, IntAnnotation(meta, KubernetesNames.RequeuesAnnotation), TimeAnnotation(meta, KubernetesNames.BackoffUntilAnnotation), rejected);
    }

    private void ReadJobs(List<PodInfo> live, HashSet<string> taken)
    {
        var byJob = live.Where(p => p.View.OwnerJob is not null).ToLookup(p => (p.Namespace, p.View.OwnerJob!));
        foreach (var job in _snapshot.Jobs.OrderBy(j => j.Metadata?.NamespaceProperty, StringComparer.Ordinal).ThenBy(j => j.Metadata?.Name, StringComparer.Ordinal))
        {
            var meta = job.Metadata ?? new V1ObjectMeta();
            var queue = WorkloadTranslator.QueueOf(meta);
            if (queue is null || Finished(job) || OwnedByFramework(meta))
            {
                continue; // not Berth's, done (its pods, if any, hold what they hold), or a framework object's (admitted with it)
            }

            var ns = meta.NamespaceProperty ?? string.Empty;
            var name = meta.Name ?? string.Empty;
            var pods = byJob[(ns, name)].ToList();
            foreach (var pod in pods)
            {
                taken.Add(pod.Key);
            }

            var record = Seal.Open(meta);
            var suspended = job.Spec?.Suspend == true;
            var reserved = record is not null && meta.Annotations?.ContainsKey(KubernetesNames.QuotaReservedAnnotation) == true;
            var reference = new V1ObjectReference { ApiVersion = "batch/v1", Kind = "Job", Name = name, NamespaceProperty = ns, Uid = meta.Uid };
            if (!suspended && (record is null || reserved))
            {
                // Started without Berth (created unsuspended, or unsuspended while its admission checks were not all
                // ready): stop it so it waits in its queue like every other Job.
                _plan.Suspensions.Add(new SuspendJobAction(ns, name, "NotAdmitted", $"the Job names queue {queue} but was not admitted by Berth; suspended until its queue admits it (create queued Jobs with spec.suspend: true)"));
                _plan.Events.Add(new EventAction(reference, "Warning", "NotAdmitted", $"suspended: it names queue {queue} and waits there until admitted"));
                continue;
            }

            var result = WorkloadTranslator.FromJob(job, queue, Epoch, _priorityClasses);
            Notice(reference, result.Warnings);
            var created = Created(meta.CreationTimestamp);
            var source = new WorkloadSource
            {
                Kind = SourceKind.Job,
                Id = $"job/{ns}/{name}",
                Namespace = ns,
                Name = name,
                Workload = result.Workload ?? Placeholder($"job/{ns}/{name}", queue),
                Reference = reference,
                Created = created,
                Record = suspended && !reserved ? null : record,
                Admitted = record is not null && (!suspended || reserved),
                QuotaReserved = reserved,
                Owner = job,
                Requeues = IntAnnotation(meta, KubernetesNames.RequeuesAnnotation),
                BackoffUntil = TimeAnnotation(meta, KubernetesNames.BackoffUntilAnnotation),
                PodsReadyAt = TimeAnnotation(meta, KubernetesNames.PodsReadyAnnotation),
                IdleReclaimedAt = meta.Annotations?.TryGetValue(KubernetesNames.IdleReclaimedAnnotation, out var reclaimed) == true ? reclaimed : null,
                CheckRejectedAt = meta.Annotations?.TryGetValue(KubernetesNames.AdmissionCheckRejectedAnnotation, out var rejected) == true ? rejected : null,
                Problem = result.IsValid ? null : (result.Reason, result.Message),
            };
            foreach (var pod in pods)
            {
                source.Members.Add((pod, 0));
            }

            _sources.Add(source);
        }
    }

    private void ReadPodGroups(List<PodInfo> live, HashSet<string> taken)
    {
        var byGroup = live.Where(p => p.View.PodGroup is not null).ToLookup(p => (p.Namespace, p.View.PodGroup!));
        foreach (var group in _snapshot.PodGroups.OrderBy(g => g.Metadata?.NamespaceProperty, StringComparer.Ordinal).ThenBy(g => g.Metadata?.Name, StringComparer.Ordinal))
        {
            var meta = group.Metadata ?? new V1ObjectMeta();
            var ns = meta.NamespaceProperty ?? string.Empty;
            var name = meta.Name ?? string.Empty;
            var members = byGroup[(ns, name)].Where(p => !taken.Contains(p.Key)).ToList();
            foreach (var pod in members)
            {
                taken.Add(pod.Key);
            }

            if (group.Status?.Phase is PodGroupPhases.Finished)
            {
                continue;
            }

            var record = Seal.Open(meta);
            if (Seal.IsForged(meta))
            {
                // Not written by Berth for this object: never obeyed, and removed so that nobody mistakes it for an admission.
                _plan.Annotations.Add(new AnnotateAction(Api.PodGroup.KubeKind, ns, name, new Dictionary<string, string?> { [AdmissionRecord.AnnotationName] = null }));
            }

            var reference = new V1ObjectReference { ApiVersion = KubernetesNames.ApiVersion, Kind = Api.PodGroup.KubeKind, Name = name, NamespaceProperty = ns, Uid = meta.Uid };
            AddGroup(SourceKind.PodGroup, group, members, record, reference);
        }
    }

    /// <summary>Pods that share a pod-group label with no PodGroup object: a gang of all of them, or of the annotated min member.</summary>
    private void ReadGangs(List<PodInfo> live, HashSet<string> taken)
    {
        var gangs = live.Where(p => p.View.PodGroup is not null && p.BerthScheduled && !taken.Contains(p.Key))
            .GroupBy(p => (p.Namespace, p.View.PodGroup!))
            .OrderBy(g => g.Key.Namespace, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal);
        foreach (var gang in gangs)
        {
            var (ns, name) = gang.Key;
            var members = gang.ToList();
            foreach (var pod in members)
            {
                taken.Add(pod.Key);
            }

            var minText = members.Select(p => ModelMapping.Get(p.Object.Metadata?.Annotations, KubernetesNames.MinMemberAnnotation)).FirstOrDefault(t => t is not null);
            var minMember = members.Count;
            if (minText is not null && (!int.TryParse(minText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out minMember) || minMember < 1))
            {
                minMember = 0; // FromPodGroup reports it
            }

            var queue = members.Select(p => p.View.Queue).FirstOrDefault(q => q is not null) ?? _options.DefaultQueue;
            var group = new Api.PodGroup
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, CreationTimestamp = members.Min(p => p.View.CreationTimestamp) },
                Spec = new PodGroupSpec { MinMember = minMember, Queue = queue },
            };
            var reference = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = members[0].Name, NamespaceProperty = ns, Uid = members[0].Object.Metadata?.Uid };
            AddGroup(SourceKind.Gang, group, members, null, reference);
        }
    }

    private void AddGroup(SourceKind kind, Api.PodGroup group, List<PodInfo> members, AdmissionRecord? record, V1ObjectReference reference)
    {
        var meta = group.Metadata;
        var ns = meta.NamespaceProperty ?? string.Empty;
        var name = meta.Name ?? string.Empty;
        var id = $"podgroup/{ns}/{name}";
        var result = WorkloadTranslator.FromPodGroup(group, members.Select(m => m.View).ToList(), Epoch, _priorityClasses);
        var queue = group.Spec?.Queue ?? WorkloadTranslator.QueueOf(meta) ?? members.Select(m => m.View.Queue).FirstOrDefault(q => q is not null) ?? _options.DefaultQueue;
        var missing = result.Reason == ConditionReasons.WaitingForMembers ? Math.Max(1, (group.Spec?.MinMember ?? 0) - members.Count) : 0;
        var workload = result.Workload;
        if (workload is null && result.Reason == ConditionReasons.NoQueue && _options.DefaultQueue is { } fallback)
        {
            result = WorkloadTranslator.FromPodGroup(group with { Spec = (group.Spec ?? new PodGroupSpec()) with { Queue = fallback } }, members.Select(m => m.View).ToList(), Epoch, _priorityClasses);
            workload = result.Workload;
        }

        Notice(reference, result.Warnings);

        var source = new WorkloadSource
        {
            Kind = kind,
            Id = id,
            Namespace = ns,
            Name = name,
            Workload = workload ?? Placeholder(id, queue ?? string.Empty),
            Reference = reference,
            Created = Created(meta.CreationTimestamp),
            Record = record,
            Admitted = workload is not null && (record is not null || members.Any(m => m.Bound && m.BerthScheduled)),
            Owner = kind == SourceKind.PodGroup ? group : null,
            Requeues = IntAnnotation(meta, KubernetesNames.RequeuesAnnotation),
            BackoffUntil = TimeAnnotation(meta, KubernetesNames.BackoffUntilAnnotation),
            PodsReadyAt = TimeAnnotation(meta, KubernetesNames.PodsReadyAnnotation),
            IdleReclaimedAt = meta.Annotations?.TryGetValue(KubernetesNames.IdleReclaimedAnnotation, out var reclaimed) == true ? reclaimed : null,
            MaxRunTimeExceededAt = meta.Annotations?.TryGetValue(KubernetesNames.MaxRunTimeExceededAnnotation, out var overdue) == true ? overdue : null,
            CheckRejectedAt = meta.Annotations?.TryGetValue(KubernetesNames.AdmissionCheckRejectedAnnotation, out var rejected) == true ? rejected : null,
            QuotaReserved = record is not null && meta.Annotations?.ContainsKey(KubernetesNames.QuotaReservedAnnotation) == true,
            MissingMembers = missing,
            Problem = workload is not null || missing > 0 ? null : (result.Reason, result.Message),
        };
        if (kind == SourceKind.PodGroup && record is null && members.Any(m => m.Bound && m.BerthScheduled))
        {
            // Its admission was taken back (preempted, requeued) but an eviction was refused or failed: its pods leave first.
            source = source.WithProblem(EvictingReason, $"{id} was preempted or requeued; it waits until its running pods are gone (an eviction may be held back by a PodDisruptionBudget)");
        }

        if (workload is not null)
        {
            var keys = workload.PodSets.Select(s => WorkloadTranslator.ShapeKey(s.Template)).ToArray();
            foreach (var member in members.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                var set = Array.IndexOf(keys, WorkloadTranslator.ShapeKey(member.Request));
                source.Members.Add((member, Math.Max(0, set)));
            }
        }
        else
        {
            foreach (var member in members)
            {
                source.Members.Add((member, 0));
            }
        }

        _sources.Add(source);
    }

    private void ReadLonePods(List<PodInfo> live, HashSet<string> taken)
    {
        foreach (var pod in live.Where(p => p.BerthScheduled && !taken.Contains(p.Key)))
        {
            var view = pod.View.Queue is null && _options.DefaultQueue is { } fallback ? pod.View with { Queue = fallback } : pod.View;
            var result = WorkloadTranslator.FromPlainPod(view, Epoch, _priorityClasses);
            var id = $"pod/{pod.Namespace}/{pod.Name}";
            var serving = ServingWorkloads.GroupOf(pod.Object.Metadata);
            if (serving is not null && result.Workload is { } replica)
            {
                var warnings = new List<string>();
                result = WorkloadResult.Valid(ServingWorkloads.AsReplica(replica, serving, view.PriorityClassName is not null, _options.ServingPriorityClass, _priorityClasses, warnings), result.Warnings);
                _plan.Warnings.AddRange(warnings);
            }
            else if (serving is not null && result.Reason == ConditionReasons.NoQueue)
            {
                result = WorkloadResult.Invalid(ConditionReasons.NoQueue, $"{id} is a replica of {serving} and names no queue; label its pod template (spec.template.metadata.labels) {KubernetesNames.KueueQueueLabel}: <queue>, or label the {serving[..serving.IndexOf('/', StringComparison.Ordinal)]} itself and let Berth's webhook copy it", result.Warnings);
            }

            var source = new WorkloadSource
            {
                Kind = SourceKind.Pod,
                Id = id,
                Namespace = pod.Namespace,
                Name = pod.Name,
                Workload = result.Workload ?? Placeholder(id, view.Queue ?? string.Empty),
                Reference = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Name, NamespaceProperty = pod.Namespace, Uid = pod.Object.Metadata?.Uid },
                Created = Created(pod.View.CreationTimestamp),
                Admitted = result.IsValid && pod.Bound,
                Problem = result.IsValid ? null : (result.Reason == ConditionReasons.NoQueue ? "QueueMissing" : result.Reason, result.Message),
            };
            source.Members.Add((pod, 0));
            _sources.Add(source);
            Notice(source.Reference, result.Warnings);
        }
    }

    /// <summary>Writes each valid queue's Ready condition, its counts and its usage per flavor, when they changed.</summary>
    private void ReportQueues()
    {
        var engine = _engine;
        var pendingByQueue = _sources
            .Where(s => !s.Admitted && engine?.Find(s.Id) is not { Phase: WorkloadPhase.Admitted })
            .GroupBy(s => s.Workload.Queue, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var queue in _snapshot.Queues.OrderBy(q => q.Metadata?.Name, StringComparer.Ordinal))
        {
            var name = queue.Metadata?.Name;
            if (name is null || _translation!.Verdict(Api.Queue.KubeKind, name) is not { } verdict)
            {
                continue;
            }

            var current = queue.Status ?? new QueueStatus();
            var conditions = NewReadyCondition(verdict, current.Conditions) ?? current.Conditions?.ToList() ?? [];
            var activeChanged = SetActiveCondition(conditions, name);
            var pending = pendingByQueue.GetValueOrDefault(name);
            var admitted = _plan.Admitted.GetValueOrDefault(name);
            var usage = verdict.Ready && engine is not null ? UsageOf(engine, name) : [];
            var disruptions = engine?.RecentDisruptions(name).Select(t => (_snapshot.Now + t).UtcDateTime).ToList() ?? [];
            var wanted = new QueueStatus
            {
                Conditions = conditions,
                PendingWorkloads = pending,
                AdmittedWorkloads = admitted,
                Usage = usage,
                RecentDisruptions = disruptions.Count > 0 ? disruptions : null,
            };
            var conditionChanged = NewReadyCondition(verdict, current.Conditions) is not null;
            var oldDisruptions = current.RecentDisruptions ?? [];
            var disruptionsChanged = engine is not null && (oldDisruptions.Count != disruptions.Count || oldDisruptions.Zip(disruptions).Any(p => Utc(p.First) != p.Second));
            if (conditionChanged || activeChanged || disruptionsChanged || current.PendingWorkloads != pending || current.AdmittedWorkloads != admitted || !SameUsage(current.Usage, usage))
            {
                _plan.ObjectStatuses.Add(new StatusAction(Api.Queue.KubePluralName, null, name, wanted));
            }
        }
    }

    private static List<FlavorUsage> UsageOf(Engine.Admission.AdmissionScheduler engine, string queue)
    {
        var quotas = engine.Quotas;
        var list = new List<FlavorUsage>();
        var q = Array.IndexOf(quotas.QueueNames.ToArray(), queue);
        if (q < 0)
        {
            return list;
        }

        for (var f = 0; f < quotas.Flavors.Count; f++)
        {
            if (!quotas.QueueHasFlavor(q, f))
            {
                continue;
            }

            long Used(ResourceKind k) => quotas.Usage(q, f, k);
            long Borrowed(ResourceKind k) => Math.Max(0, quotas.Usage(q, f, k) - quotas.Nominal(q, f, k));
            list.Add(Quantities.Usage(
                quotas.Flavors[f],
                new Resources(Used(ResourceKind.Cpu), Used(ResourceKind.Memory), Used(ResourceKind.Gpu)),
                new Resources(Borrowed(ResourceKind.Cpu), Borrowed(ResourceKind.Memory), Borrowed(ResourceKind.Gpu))));
        }

        return list;
    }

    private static bool SameUsage(IList<FlavorUsage>? a, IList<FlavorUsage> b)
    {
        a ??= [];
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            var x = a[i].Resources ?? [];
            var y = b[i].Resources ?? [];
            if (a[i].Name != b[i].Name || x.Count != y.Count || x.Zip(y).Any(p => p.First.Name != p.Second.Name || p.First.Total != p.Second.Total || p.First.Borrowed != p.Second.Borrowed))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Finished(V1Job job) =>
        job.Status?.Conditions?.Any(c => c?.Type is "Complete" or "Failed" && c.Status == "True") == true;

    private DateTimeOffset Created(DateTime? created) => created is { } time ? new DateTimeOffset(Utc(time)) : _snapshot.Now;

    private static int IntAnnotation(V1ObjectMeta meta, string key) =>
        ModelMapping.Get(meta.Annotations, key) is { } text && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static DateTimeOffset? TimeAnnotation(V1ObjectMeta meta, string key) =>
        ModelMapping.Get(meta.Annotations, key) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var value) ? value : null;

    /// <summary>A stand-in for a workload that cannot be tried (so its queue and id can still be reported).</summary>
    private static Workload Placeholder(string id, string queue) => new(id) { Queue = queue };
}
