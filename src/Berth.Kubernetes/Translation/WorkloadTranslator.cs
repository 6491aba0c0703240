using System.Globalization;
using Berth.Kubernetes.Api;
using Berth.Model;
using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Turns the things users submit into the model's <see cref="Workload"/>: a batch/v1 Job, a PodGroup with
/// its member pods, or a lone pod with <c>schedulerName: berth</c>. Pure; submit times are offsets of the
/// objects' <c>creationTimestamp</c> from a caller-given epoch (one fixed instant for the controller's life,
/// at or before every object's creation, so that first-come-first-served order is kept). Bad input gives a
/// <see cref="WorkloadResult"/> with the reason and the fix, never an exception.
/// </summary>
public static class WorkloadTranslator
{
    /// <summary>The name of a Job's single pod set and of a lone pod's.</summary>
    public const string MainPodSet = "main";

    /// <summary>The queue named by an object's labels: <c>berth.dev/queue</c>, else Kueue's <c>kueue.x-k8s.io/queue-name</c>; null when neither.</summary>
    public static string? QueueOf(V1ObjectMeta? metadata) => PodTranslator.QueueOf(metadata);

    /// <summary>
    /// A Job as a workload with id <c>job/&lt;namespace&gt;/&lt;name&gt;</c> and one pod set <c>main</c>: the pod
    /// template, count = <c>spec.parallelism</c> (default 1; at most <c>spec.completions</c>), min count = the count
    /// unless the annotation <c>berth.dev/min-parallelism</c> makes it elastic. Priority and preemptible from the
    /// template's <c>priorityClassName</c> through <paramref name="priorityClasses"/> (else the template's
    /// <c>priority</c>, else 0); the Job's annotation <c>berth.dev/preemptible</c> wins. Expected run time and
    /// checkpoint interval from the Job's annotations; max run time from <c>spec.activeDeadlineSeconds</c>. Topology from
    /// Kueue's pod template annotations (<see cref="KueueTopologyAnnotations"/>). Datasets and locality wait from the Job's
    /// annotations (<see cref="DatasetAnnotations"/>).
    /// </summary>
    public static WorkloadResult FromJob(V1Job job, string? queue, DateTimeOffset epoch, IReadOnlyDictionary<string, PriorityClass>? priorityClasses = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var warnings = new List<string>();
        var meta = job.Metadata ?? new V1ObjectMeta();
        var id = $"job/{meta.NamespaceProperty}/{meta.Name}";
        if (string.IsNullOrWhiteSpace(queue))
        {
            return WorkloadResult.Invalid(ConditionReasons.NoQueue, $"{id} names no queue; label it {KubernetesNames.QueueLabel}: <queue> (or {KubernetesNames.KueueQueueLabel})", warnings);
        }

        if (job.Spec?.Template?.Spec is not { } template)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: spec.template.spec is missing; give the Job a pod template", warnings);
        }

        var parallelism = job.Spec.Parallelism ?? 1;
        var count = job.Spec.Completions is { } completions ? Math.Min(parallelism, completions) : parallelism;
        if (count < 1)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: spec.parallelism is {parallelism}{(job.Spec.Completions is { } c ? $" and spec.completions {c}" : string.Empty)}; a Job to admit runs at least 1 pod", warnings);
        }

        var minCount = count;
        if (ModelMapping.Get(meta.Annotations, KubernetesNames.MinParallelismAnnotation) is { } minText)
        {
            if (!int.TryParse(minText, NumberStyles.None, CultureInfo.InvariantCulture, out minCount) || minCount < 1 || minCount > count)
            {
                return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: annotation {KubernetesNames.MinParallelismAnnotation} is '{minText}'; write the fewest pods it can run with, from 1 to {count}", warnings);
            }
        }

        var pod = PodTranslator.ReadTemplate(MainPodSet, template, job.Spec.Template.Metadata?.Annotations, warnings, out var podError);
        if (podError is not null)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {podError}", warnings);
        }

        var topology = KueueTopologyAnnotations.Read(job.Spec.Template.Metadata?.Annotations, out var topologyError);
        if (topologyError is not null)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {topologyError}", warnings);
        }

        var priority = template.Priority ?? 0;
        var preemptible = true;
        if (!string.IsNullOrEmpty(template.PriorityClassName))
        {
            if (priorityClasses is null || !priorityClasses.TryGetValue(template.PriorityClassName, out var cls))
            {
                return WorkloadResult.Invalid(ConditionReasons.UnknownPriorityClass, $"{id}: spec.template.spec.priorityClassName '{template.PriorityClassName}' is not a PriorityClass; create it or fix the name", warnings);
            }

            (priority, preemptible) = (cls.Value, cls.Preemptible);
        }

        var toleratesSpot = SpotToleration.Read(meta.Annotations, out var spotError);
        if (spotError is not null)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {spotError}", warnings);
        }

        var workload = new Workload(id)
        {
            Queue = queue,
            ToleratesSpot = toleratesSpot,
            PodSets = [new PodSet(MainPodSet, count, pod with { Priority = priority }) { MinCount = minCount, TopologyKey = topology?.Required, PreferredTopology = topology?.Preferred ?? [] }],
            Priority = priority,
            Preemptible = PodTranslator.PreemptibleAnnotation(meta.Annotations, warnings) ?? preemptible,
            SubmitTime = SubmitTime(meta.CreationTimestamp, epoch, id, warnings),
            ExpectedRunTime = PodTranslator.DurationAnnotation(meta.Annotations, KubernetesNames.ExpectedRunTimeAnnotation, warnings),
            MaxRunTime = job.Spec.ActiveDeadlineSeconds is { } deadline and > 0 ? TimeSpan.FromSeconds(deadline) : null,
            CheckpointInterval = PodTranslator.DurationAnnotation(meta.Annotations, KubernetesNames.CheckpointIntervalAnnotation, warnings),
        };
        return WithDatasets(workload, meta, warnings);
    }

    /// <summary>
    /// A pod group as a workload with id <c>podgroup/&lt;namespace&gt;/&lt;name&gt;</c>. <paramref name="members"/> are the
    /// group's pods (terminal ones are ignored). Members with the same request (cpu, memory, GPUs, GPU models,
    /// node selector, tolerations) form one pod set, named after its first member by name; sets are in that
    /// order. The min counts add up to <c>spec.minMember</c> by <see cref="DistributeMinCount"/>. Fewer live members
    /// than minMember gives <see cref="ConditionReasons.WaitingForMembers"/>.
    /// <para>
    /// Queue: <c>spec.queue</c>, else the group's queue label, else its members' (which must agree). Priority:
    /// <c>spec.priorityClassName</c> through <paramref name="priorityClasses"/>, else the highest member priority
    /// (which the API server set from their PriorityClass). The raw integer <c>spec.priority</c> may only lower it:
    /// a tenant who writes their own PodGroup cannot jump their queue with it (issue 12, finding 4). A required topology puts its key on every pod set: each set of one shape sits
    /// inside one domain (sets of different shapes may use different domains); a preferred one is tried first and, when no domain has room, not enforced.
    /// </para>
    /// </summary>
    public static WorkloadResult FromPodGroup(Api.PodGroup group, IReadOnlyList<PodView> members, DateTimeOffset epoch, IReadOnlyDictionary<string, PriorityClass>? priorityClasses = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(members);
        var warnings = new List<string>();
        var meta = group.Metadata ?? new V1ObjectMeta();
        var ns = meta.NamespaceProperty ?? string.Empty;
        var name = meta.Name ?? string.Empty;
        var id = $"podgroup/{ns}/{name}";
        var spec = group.Spec ?? new PodGroupSpec();
        WorkloadResult Invalid(string message) => WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {message}", warnings);

        if (spec.MinMember is not { } minMember)
        {
            return Invalid("spec.minMember is missing; give the fewest pods that must run together, e.g. 8");
        }

        if (minMember < 1)
        {
            return Invalid($"spec.minMember is {minMember}; it must be 1 or more");
        }

        var live = new List<PodView>();
        foreach (var member in members.Where(m => m is not null).OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Uid, StringComparer.Ordinal))
        {
            if (!string.Equals(member.Namespace, ns, StringComparison.Ordinal) || !string.Equals(member.PodGroup, name, StringComparison.Ordinal))
            {
                return Invalid($"pod {member.Key} was given as a member but belongs to pod group '{member.PodGroup}' in namespace '{member.Namespace}'; pass only the group's own pods");
            }

            if (member.Terminal)
            {
                continue;
            }

            if (member.Error is not null)
            {
                return Invalid($"member {member.Key}: {member.Error}");
            }

            live.Add(member);
        }

        if (live.Count < minMember)
        {
            return WorkloadResult.Invalid(ConditionReasons.WaitingForMembers, $"{id} has {live.Count} of its minMember {minMember} pods; it waits until that many exist (or lower spec.minMember)", warnings);
        }

        var queue = NonEmpty(spec.Queue) ?? QueueOf(meta);
        if (queue is null)
        {
            var queues = live.Select(m => m.Queue).Where(q => q is not null).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            if (queues.Length > 1)
            {
                return Invalid($"its pods name different queues ({string.Join(", ", queues)}); label them all with one queue, or set spec.queue");
            }

            queue = queues.FirstOrDefault();
        }

        if (queue is null)
        {
            return WorkloadResult.Invalid(ConditionReasons.NoQueue, $"{id} names no queue; set spec.queue, or label the group or its pods {KubernetesNames.QueueLabel}: <queue>", warnings);
        }

        PriorityClass? cls = null;
        if (!string.IsNullOrEmpty(spec.PriorityClassName)
            && (priorityClasses is null || !priorityClasses.TryGetValue(spec.PriorityClassName, out cls)))
        {
            return WorkloadResult.Invalid(ConditionReasons.UnknownPriorityClass, $"{id}: spec.priorityClassName '{spec.PriorityClassName}' is not a PriorityClass; create it or fix the name", warnings);
        }

        var priority = cls?.Value ?? live.Max(m => m.Pod.Priority);
        if (spec.Priority is { } raw)
        {
            if (raw > priority)
            {
                warnings.Add($"{id}: spec.priority {raw} is above what its PriorityClass gives ({priority}) and is ignored; a raw priority may only lower a group's priority, so set spec.priorityClassName");
            }

            priority = Math.Min(priority, raw);
        }
        TimeSpan? expected = null, maxRun = null, checkpoint = null;
        foreach (var (field, text, set) in new (string, string?, Action<TimeSpan>)[]
        {
            ("spec.expectedRunTime", spec.ExpectedRunTime, v => expected = v),
            ("spec.maxRunTime", spec.MaxRunTime, v => maxRun = v),
            ("spec.checkpointInterval", spec.CheckpointInterval, v => checkpoint = v),
        })
        {
            if (text is null)
            {
                continue;
            }

            if (!ModelMapping.TryDuration(text, out var value))
            {
                return Invalid($"{field} is '{text}', which is not a duration; {ModelMapping.DurationHint}");
            }

            set(value);
        }

        string? topologyKey = null;
        IReadOnlyList<string> preferredTopology = [];
        if (spec.Topology is { } topology)
        {
            if (topology.Mode is not (null or "Required" or "Preferred"))
            {
                return Invalid($"spec.topology.mode is '{topology.Mode}'; write Required or Preferred");
            }

            if (string.IsNullOrWhiteSpace(topology.Key))
            {
                return Invalid("spec.topology.key is empty; give a node label key such as block, rack, nvlink, zone, hostname or topology.berth.io/rack");
            }

            var resolved = TopologyKeys.Resolve(topology.Key);
            if (topology.Mode is null or "Required")
            {
                topologyKey = resolved;
            }
            else
            {
                preferredTopology = [resolved];
            }
        }

        var shapes = new List<(string Key, List<PodView> Pods)>();
        foreach (var member in live)
        {
            var key = ShapeKey(member.Pod);
            var index = shapes.FindIndex(s => s.Key == key);
            if (index < 0)
            {
                shapes.Add((key, [member]));
            }
            else
            {
                shapes[index].Pods.Add(member);
            }
        }

        var mins = DistributeMinCount(shapes.Select(s => s.Pods.Count).ToArray(), minMember);
        if (minMember < shapes.Count)
        {
            warnings.Add($"spec.minMember {minMember} is below the number of pod shapes ({shapes.Count}); every shape needs at least one pod, so {shapes.Count} must run together");
        }

        var podSets = new PodSet[shapes.Count];
        for (var i = 0; i < shapes.Count; i++)
        {
            var first = shapes[i].Pods[0];
            podSets[i] = new PodSet(first.Name, shapes[i].Pods.Count, first.Pod with { Name = first.Name, Priority = priority })
            {
                MinCount = mins[i],
                TopologyKey = topologyKey,
                PreferredTopology = preferredTopology,
            };
        }

        var toleratesSpot = SpotToleration.Read(meta.Annotations, out var spotError);
        if (spotError is not null)
        {
            return Invalid(spotError);
        }

        var workload = new Workload(id)
        {
            Queue = queue,
            ToleratesSpot = toleratesSpot,
            PodSets = podSets,
            Priority = priority,
            Preemptible = spec.Preemptible ?? cls?.Preemptible ?? true,
            SubmitTime = SubmitTime(meta.CreationTimestamp, epoch, id, warnings),
            ExpectedRunTime = expected,
            MaxRunTime = maxRun,
            CheckpointInterval = checkpoint,
        };
        return WithDatasets(workload, meta, warnings);
    }

    /// <summary>
    /// A lone pod (<c>schedulerName: berth</c>, no pod group) as a workload with id <c>pod/&lt;namespace&gt;/&lt;name&gt;</c>
    /// and one pod set <c>main</c> of one pod. Preemptible from its annotation, else its PriorityClass through
    /// <paramref name="priorityClasses"/>, else true.
    /// </summary>
    public static WorkloadResult FromPlainPod(PodView pod, DateTimeOffset epoch, IReadOnlyDictionary<string, PriorityClass>? priorityClasses = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var warnings = new List<string>();
        var id = $"pod/{pod.Namespace}/{pod.Name}";
        if (pod.PodGroup is not null)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id} belongs to pod group '{pod.PodGroup}'; it is admitted with its group (FromPodGroup), not alone", warnings);
        }

        if (!pod.IsBerthScheduled)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: spec.schedulerName is '{pod.SchedulerName}'; Berth admits lone pods with schedulerName {KubernetesNames.SchedulerName}", warnings);
        }

        if (pod.Error is not null)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, $"{id}: {pod.Error}", warnings);
        }

        if (pod.Queue is null)
        {
            return WorkloadResult.Invalid(ConditionReasons.NoQueue, $"{id} names no queue; label it {KubernetesNames.QueueLabel}: <queue> (or {KubernetesNames.KueueQueueLabel})", warnings);
        }

        var classPreemptible = pod.PriorityClassName is { } className && priorityClasses?.TryGetValue(className, out var cls) == true ? cls.Preemptible : true;
        var annotated = pod.Preemptible;
        var workload = new Workload(id)
        {
            Queue = pod.Queue,
            PodSets = [new PodSet(MainPodSet, 1, pod.Pod with { Name = MainPodSet })],
            Priority = pod.Pod.Priority,
            Preemptible = annotated && classPreemptible,
            SubmitTime = SubmitTime(pod.CreationTimestamp, epoch, id, warnings),
            ExpectedRunTime = pod.ExpectedRunTime,
            MaxRunTime = pod.MaxRunTime,
            CheckpointInterval = pod.CheckpointInterval,
        };
        return Checked(workload, warnings);
    }

    /// <summary>
    /// Splits a pod group's <paramref name="minMember"/> over its pod sets of <paramref name="counts"/> pods:
    /// every set gets at least 1 (the model's rule); when minMember reaches the total, every set gets its count;
    /// otherwise the rest (minMember minus the number of sets) is shared in proportion to each set's pods beyond
    /// its first, rounding down, and what rounding leaves goes one by one to the sets with the largest
    /// remainders (ties: the earlier set). The mins add up to minMember, clamped to [number of sets, total].
    /// </summary>
    public static IReadOnlyList<int> DistributeMinCount(IReadOnlyList<int> counts, int minMember)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Any(c => c < 1))
        {
            throw new ArgumentException("every pod set has at least 1 pod; remove empty sets", nameof(counts));
        }

        var total = counts.Sum();
        if (minMember >= total)
        {
            return counts.ToArray();
        }

        var mins = counts.Select(_ => 1).ToArray();
        var rest = minMember - counts.Count;
        var spare = total - counts.Count;
        if (rest <= 0 || spare == 0)
        {
            return mins;
        }

        var remainders = new (long Remainder, int Index)[counts.Count];
        var given = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            var exact = (long)rest * (counts[i] - 1);
            var share = (int)(exact / spare);
            mins[i] += share;
            given += share;
            remainders[i] = (exact % spare, i);
        }

        foreach (var (_, index) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(rest - given))
        {
            mins[index]++;
        }

        return mins;
    }

    internal static string ShapeKey(Pod pod) => string.Join(
        "|",
        pod.CpuMilli.ToString(CultureInfo.InvariantCulture),
        pod.MemoryMiB.ToString(CultureInfo.InvariantCulture),
        pod.GpuCount.ToString(CultureInfo.InvariantCulture),
        pod.GpuMilli.ToString(CultureInfo.InvariantCulture),
        string.Join(",", pod.AllowedGpuModels),
        string.Join(",", pod.NodeSelector.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)),
        string.Join(",", pod.Tolerations.Select(t => $"{t.Key}/{t.Operator}/{t.Value}/{t.Effect}")));

    internal static TimeSpan SubmitTime(DateTime? created, DateTimeOffset epoch, string id, List<string> warnings)
    {
        if (created is not { } time)
        {
            return TimeSpan.Zero;
        }

        var offset = new DateTimeOffset(DateTime.SpecifyKind(time, time.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : time.Kind)) - epoch;
        if (offset < TimeSpan.Zero)
        {
            warnings.Add($"{id} was created before the epoch {epoch:O}; its submit time is taken as 0 (choose an epoch before every object's creation)");
            return TimeSpan.Zero;
        }

        return offset;
    }

    /// <summary><paramref name="workload"/> with the datasets and locality wait of its annotations (<see cref="DatasetAnnotations"/>), checked.</summary>
    internal static WorkloadResult WithDatasets(Workload workload, V1ObjectMeta meta, List<string> warnings)
    {
        if (DatasetAnnotations.Read(meta.Annotations, workload.Id, out var datasets, out var wait) is { } problem)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, problem, warnings);
        }

        return Checked(workload with { Datasets = datasets, LocalityWait = wait }, warnings);
    }

    internal static WorkloadResult Checked(Workload workload, List<string> warnings)
    {
        try
        {
            workload.Validate();
            return WorkloadResult.Valid(workload, warnings);
        }
        catch (ArgumentException e)
        {
            return WorkloadResult.Invalid(ConditionReasons.InvalidSpec, ModelMapping.Problem(e, string.Empty), warnings);
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
