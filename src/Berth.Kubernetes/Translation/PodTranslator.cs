using System.Globalization;
using Berth.Model;
using Berth.Model.Queueing;
using k8s.Models;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Turns a <see cref="V1Pod"/> into a <see cref="PodView"/>, and writes the annotations of a GPU assignment.
/// Pure; never throws for a pod's content (a bad annotation becomes a warning).
/// <para>
/// The request follows Kubernetes: the sum over containers of cpu and memory requests (a container's limits
/// when it gives no request), at least what each init container needs (restartable "sidecar" init
/// containers run alongside and add up), plus <c>spec.overhead</c>; pod-level <c>spec.resources</c>, when
/// given, replace the containers' cpu and memory. Rounded up to milli-cores and MiB. GPUs: the
/// <c>nvidia.com/gpu</c> limits (else requests), whole GPUs; the annotation <c>berth.dev/gpu-share: "500"</c>
/// turns a pod asking for 0 or 1 GPU into a 500 milli-GPU share of one GPU. The node selector value of
/// <c>nvidia.com/gpu.product</c> or <c>berth.dev/gpu-model</c>, and the values of a required node affinity on
/// those keys, restrict the GPU models. MIG instances (<c>nvidia.com/mig-3g.40gb</c>), time-sliced replicas
/// (<c>nvidia.com/gpu.shared</c>) and GPU memory (<c>berth.dev/gpu-memory</c>): <see cref="SharedGpuRequests"/>.
/// </para>
/// </summary>
public static class PodTranslator
{
    public static PodView Translate(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var warnings = new List<string>();
        var meta = pod.Metadata ?? new V1ObjectMeta();
        var ns = meta.NamespaceProperty ?? string.Empty;
        var name = meta.Name ?? string.Empty;
        var spec = pod.Spec ?? new V1PodSpec();
        var model = ReadTemplate(ns + "/" + name, spec, meta.Annotations, warnings, out var error);
        var phase = string.IsNullOrEmpty(pod.Status?.Phase) ? "Pending" : pod.Status.Phase;
        var (gpus, milli) = ReadAssignment(meta.Annotations, model.SharedGpuReplicas > 0, warnings);
        var mig = model.IsMig ? SharedAssignment.ReadMig(ModelMapping.Get(meta.Annotations, KubernetesNames.MigInstancesAnnotation), model, warnings) : [];

        return new PodView
        {
            Pod = model,
            Namespace = ns,
            Name = name,
            Uid = meta.Uid ?? string.Empty,
            NodeName = string.IsNullOrEmpty(spec.NodeName) ? null : spec.NodeName,
            SchedulerName = spec.SchedulerName,
            Phase = phase,
            Terminal = phase is "Succeeded" or "Failed",
            Ready = pod.Status?.Conditions?.Any(c => c?.Type == "Ready" && c.Status == "True") == true,
            Queue = QueueOf(meta),
            PodGroup = PodGroupOf(meta),
            OwnerJob = meta.OwnerReferences?.Where(o => o?.Kind == "Job" && o.ApiVersion?.StartsWith("batch/", StringComparison.Ordinal) == true)
                .OrderByDescending(o => o.Controller == true).Select(o => o.Name).FirstOrDefault(),
            PriorityClassName = string.IsNullOrEmpty(spec.PriorityClassName) ? null : spec.PriorityClassName,
            CreationTimestamp = meta.CreationTimestamp,
            ExpectedRunTime = DurationAnnotation(meta.Annotations, KubernetesNames.ExpectedRunTimeAnnotation, warnings),
            MaxRunTime = spec.ActiveDeadlineSeconds is { } deadline and > 0 ? TimeSpan.FromSeconds(deadline) : null,
            CheckpointInterval = DurationAnnotation(meta.Annotations, KubernetesNames.CheckpointIntervalAnnotation, warnings),
            Preemptible = PreemptibleAnnotation(meta.Annotations, warnings) ?? true,
            AssignedGpus = gpus,
            AssignedGpuMilli = milli,
            AssignedMigInstances = mig,
            Error = error,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// The annotations that record a GPU assignment on a pod: <c>berth.dev/gpu-indices</c> (<c>"0,1"</c>, in the
    /// given order) and <c>berth.dev/gpu-milli</c> (<c>"1000"</c>). Empty for a CPU-only assignment (no GPUs,
    /// milli 0). <see cref="Translate"/> reads them back into <see cref="PodView.AssignedGpus"/> and
    /// <see cref="PodView.AssignedGpuMilli"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Indices negative, at or above 16, or repeated; milli outside 1..1000, or below 1000 for several GPUs; milli not 0 without GPUs.</exception>
    public static IReadOnlyDictionary<string, string> AssignmentAnnotations(IReadOnlyList<int> gpus, int milli)
    {
        ArgumentNullException.ThrowIfNull(gpus);
        if (gpus.Count == 0)
        {
            return milli == 0
                ? new Dictionary<string, string>(StringComparer.Ordinal)
                : throw new ArgumentException($"milli is {milli} but no GPU is given; give the GPU indices, or milli 0 for a CPU-only pod", nameof(milli));
        }

        if (AssignmentProblem(gpus, milli) is { } problem)
        {
            throw new ArgumentException(problem, problem.StartsWith("gpu-milli", StringComparison.Ordinal) ? nameof(milli) : nameof(gpus));
        }

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KubernetesNames.GpuIndicesAnnotation] = string.Join(",", gpus.Select(g => g.ToString(CultureInfo.InvariantCulture))),
            [KubernetesNames.GpuMilliAnnotation] = milli.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// The model pod of a pod spec (a pod's, or a Job's template): request, GPU share, node selector,
    /// tolerations, GPU models, priority. <paramref name="error"/> is set when Berth cannot place it as asked.
    /// </summary>
    internal static Pod ReadTemplate(string name, V1PodSpec spec, IDictionary<string, string>? annotations, List<string> warnings, out string? error)
    {
        error = null;
        var (cpu, memory, gpu) = Requests(spec);
        var cpuMilli = Convert(cpu, ResourceKind.Cpu, "cpu", warnings);
        var memoryMiB = Convert(memory, ResourceKind.Memory, "memory", warnings);
        var gpuCount = (long)decimal.Ceiling(Math.Max(gpu, 0m));
        if (gpuCount > Limits.MaxGpusPerNode)
        {
            error = $"the pod asks for {gpuCount} {KubernetesNames.GpuResource}; a node has at most {Limits.MaxGpusPerNode}, so split it into several pods (a pod group)";
            gpuCount = Limits.MaxGpusPerNode;
        }

        var gpuMilli = gpuCount > 0 ? Limits.GpuMilliPerGpu : 0;
        if (ModelMapping.Get(annotations, KubernetesNames.GpuShareRequestAnnotation) is { } shareText)
        {
            if (!int.TryParse(shareText, NumberStyles.None, CultureInfo.InvariantCulture, out var share) || share < 1 || share >= Limits.GpuMilliPerGpu)
            {
                warnings.Add($"annotation {KubernetesNames.GpuShareRequestAnnotation} is '{shareText}'; write milli-GPU from 1 to 999 (500 = half a GPU); it is ignored");
            }
            else if (gpuCount > 1)
            {
                warnings.Add($"annotation {KubernetesNames.GpuShareRequestAnnotation} asks for a share of one GPU, but the pod asks for {gpuCount} {KubernetesNames.GpuResource}; a share needs 0 or 1, so it is ignored");
            }
            else
            {
                gpuCount = 1;
                gpuMilli = share;
            }
        }

        var shared = SharedGpuRequests.Read(spec, gpuCount, ref error);
        if (shared.MigCount == 0 && gpuCount > 0 && gpuMilli == Limits.GpuMilliPerGpu
            && GpuSharingLabels.SingleStrategyProfile(ModelMapping.Get(spec.NodeSelector, KubernetesNames.GpuProductLabel)) is { } single)
        {
            // MIG single strategy: the device plugin advertises MIG instances as nvidia.com/gpu, and the pod's product
            // selector (A100-SXM4-40GB-MIG-1g.5gb) names their profile, so each GPU asked for is one instance of it.
            shared = shared with { MigProfile = single, MigCount = (int)gpuCount };
            (gpuCount, gpuMilli) = (0, 0);
        }

        var selector = ModelMapping.Copy(spec.NodeSelector);
        var models = GpuModels(spec, selector, warnings);
        var tolerations = new List<Toleration>();
        for (var i = 0; i < (spec.Tolerations?.Count ?? 0); i++)
        {
            string? problem = "is empty";
            if (spec.Tolerations![i] is not { } t || ModelMapping.ToToleration(t, out problem) is not { } toleration)
            {
                warnings.Add($"spec.tolerations[{i}] {problem}; it is ignored");
                continue;
            }

            tolerations.Add(toleration);
        }

        return new Pod
        {
            Name = name,
            CpuMilli = cpuMilli,
            MemoryMiB = memoryMiB,
            GpuCount = (int)gpuCount,
            GpuMilli = gpuMilli,
            GpuMemoryMiB = shared.MemoryMiB,
            MigProfile = shared.MigProfile,
            MigCount = shared.MigCount,
            SharedGpuReplicas = shared.Replicas,
            AllowedGpuModels = models,
            NodeSelector = selector,
            Tolerations = tolerations,
            Priority = spec.Priority ?? 0,
            SingleNumaNode = SingleNumaNode(annotations, warnings),
        };
    }

    /// <summary>The annotation <c>berth.dev/topology-policy</c>: true for <c>single-numa-node</c>; another value is ignored with a warning.</summary>
    private static bool SingleNumaNode(IDictionary<string, string>? annotations, List<string> warnings)
    {
        var text = ModelMapping.Get(annotations, KubernetesNames.TopologyPolicyAnnotation);
        if (text is null or "none" or "best-effort")
        {
            return false;
        }

        if (text == "single-numa-node")
        {
            return true;
        }

        warnings.Add($"annotation {KubernetesNames.TopologyPolicyAnnotation} is '{text}'; write single-numa-node (or none); it is ignored");
        return false;
    }

    /// <summary>A problem with an assignment (GPU indices and milli per GPU); null when it is valid.</summary>
    internal static string? AssignmentProblem(IReadOnlyList<int> gpus, int milli)
    {
        if (gpus.Any(g => g < 0 || g >= Limits.MaxGpusPerNode))
        {
            return $"gpu-indices [{string.Join(",", gpus)}] has an index outside 0..{Limits.MaxGpusPerNode - 1}; give the GPUs' indices on the node";
        }

        if (gpus.Distinct().Count() != gpus.Count)
        {
            return $"gpu-indices [{string.Join(",", gpus)}] repeats a GPU; list each GPU once";
        }

        if (milli < 1 || milli > Limits.GpuMilliPerGpu)
        {
            return $"gpu-milli is {milli}; it must be between 1 and {Limits.GpuMilliPerGpu} (1000 = a whole GPU)";
        }

        if (gpus.Count > 1 && milli != Limits.GpuMilliPerGpu)
        {
            return $"gpu-milli is {milli} for {gpus.Count} GPUs; a multi-GPU pod takes whole GPUs, so it must be {Limits.GpuMilliPerGpu}";
        }

        return null;
    }

    /// <summary>The queue named by a Job's, pod group's or pod's labels: Berth's label, else Kueue's.</summary>
    internal static string? QueueOf(V1ObjectMeta? meta) =>
        NonEmpty(ModelMapping.Get(meta?.Labels, KubernetesNames.QueueLabel)) ?? NonEmpty(ModelMapping.Get(meta?.Labels, KubernetesNames.KueueQueueLabel));

    /// <summary>The annotation <c>berth.dev/preemptible</c> as a bool; null when absent or unreadable (with a warning).</summary>
    internal static bool? PreemptibleAnnotation(IDictionary<string, string>? annotations, List<string> warnings)
    {
        var text = ModelMapping.Get(annotations, KubernetesNames.PreemptibleAnnotation);
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        warnings.Add($"annotation {KubernetesNames.PreemptibleAnnotation} is '{text}'; write \"true\" or \"false\"; it is ignored");
        return null;
    }

    /// <summary>A duration annotation; null when absent or unreadable (with a warning).</summary>
    internal static TimeSpan? DurationAnnotation(IDictionary<string, string>? annotations, string key, List<string> warnings)
    {
        var text = ModelMapping.Get(annotations, key);
        if (text is null)
        {
            return null;
        }

        if (ModelMapping.TryDuration(text, out var value))
        {
            return value;
        }

        warnings.Add($"annotation {key} is '{text}'; {ModelMapping.DurationHint}; it is ignored");
        return null;
    }

    private static string? PodGroupOf(V1ObjectMeta meta) =>
        NonEmpty(ModelMapping.Get(meta.Labels, KubernetesNames.PodGroupLabel))
        ?? NonEmpty(ModelMapping.Get(meta.Annotations, KubernetesNames.PodGroupLabel))
        ?? NonEmpty(ModelMapping.Get(meta.Annotations, KubernetesNames.VolcanoPodGroupAnnotation));

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>cpu in cores, memory in bytes, GPUs in count, as Kubernetes computes a pod's effective request.</summary>
    private static (decimal Cpu, decimal Memory, decimal Gpu) Requests(V1PodSpec spec)
    {
        var app = (Cpu: 0m, Memory: 0m, Gpu: 0m);
        foreach (var container in spec.Containers ?? [])
        {
            app = Add(app, Of(container?.Resources));
        }

        // Init containers run one after another before the app containers; restartable ones (sidecars)
        // keep running, so they add to everything started after them and to the app containers.
        var sidecars = (Cpu: 0m, Memory: 0m, Gpu: 0m);
        var init = (Cpu: 0m, Memory: 0m, Gpu: 0m);
        foreach (var container in spec.InitContainers ?? [])
        {
            var request = Of(container?.Resources);
            if (container?.RestartPolicy == "Always")
            {
                sidecars = Add(sidecars, request);
                init = Max(init, sidecars);
            }
            else
            {
                init = Max(init, Add(sidecars, request));
            }
        }

        var total = Max(Add(app, sidecars), init);
        if (spec.Resources is { } podLevel)
        {
            var pod = Of(podLevel);
            total = (Has(podLevel, "cpu") ? pod.Cpu : total.Cpu, Has(podLevel, "memory") ? pod.Memory : total.Memory, total.Gpu);
        }

        if (spec.Overhead is { } overhead)
        {
            total = (total.Cpu + Value(overhead, "cpu"), total.Memory + Value(overhead, "memory"), total.Gpu);
        }

        return total;
    }

    private static bool Has(V1ResourceRequirements resources, string name) =>
        resources.Requests?.ContainsKey(name) == true || resources.Limits?.ContainsKey(name) == true;

    private static (decimal Cpu, decimal Memory, decimal Gpu) Of(V1ResourceRequirements? resources)
    {
        if (resources is null)
        {
            return (0m, 0m, 0m);
        }

        decimal Request(string name) => resources.Requests?.ContainsKey(name) == true ? Value(resources.Requests, name) : Value(resources.Limits, name);
        decimal Extended(string name) => resources.Limits?.ContainsKey(name) == true ? Value(resources.Limits, name) : Value(resources.Requests, name);
        return (Request("cpu"), Request("memory"), Extended(KubernetesNames.GpuResource));
    }

    private static decimal Value(IDictionary<string, ResourceQuantity>? map, string name)
    {
        if (map is null || !map.TryGetValue(name, out var quantity) || quantity is null)
        {
            return 0m;
        }

        try
        {
            return quantity.ToDecimal();
        }
        catch (OverflowException)
        {
            return decimal.MaxValue / 4;
        }
    }

    private static (decimal Cpu, decimal Memory, decimal Gpu) Add((decimal Cpu, decimal Memory, decimal Gpu) a, (decimal Cpu, decimal Memory, decimal Gpu) b) =>
        (Sum(a.Cpu, b.Cpu), Sum(a.Memory, b.Memory), Sum(a.Gpu, b.Gpu));

    private static (decimal Cpu, decimal Memory, decimal Gpu) Max((decimal Cpu, decimal Memory, decimal Gpu) a, (decimal Cpu, decimal Memory, decimal Gpu) b) =>
        (Math.Max(a.Cpu, b.Cpu), Math.Max(a.Memory, b.Memory), Math.Max(a.Gpu, b.Gpu));

    private static decimal Sum(decimal a, decimal b) => a > decimal.MaxValue / 2 || b > decimal.MaxValue / 2 ? decimal.MaxValue / 2 : a + b;

    private static long Convert(decimal amount, ResourceKind kind, string resource, List<string> warnings)
    {
        if (Quantities.TryConvert(amount, kind, roundUp: true, out var value) && value >= 0)
        {
            return value;
        }

        warnings.Add($"the pod's {resource} request is out of range; it is taken as 0");
        return 0;
    }

    private static IReadOnlyList<string> GpuModels(V1PodSpec spec, IReadOnlyDictionary<string, string> selector, List<string> warnings)
    {
        HashSet<string>? allowed = null;
        void Restrict(IEnumerable<string> models)
        {
            var set = models.ToHashSet(StringComparer.Ordinal);
            allowed = allowed is null ? set : allowed.Intersect(set, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        }

        if (selector.TryGetValue(KubernetesNames.GpuModelLabel, out var model))
        {
            Restrict([model]);
        }

        if (selector.TryGetValue(KubernetesNames.GpuProductLabel, out var product))
        {
            Restrict([GpuModelNames.FromProduct(product)]);
        }

        var terms = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms;
        if (terms is { Count: > 0 })
        {
            var modelled = terms.Count == 1;
            foreach (var expression in terms[0]?.MatchExpressions ?? [])
            {
                if (expression?.OperatorProperty == "In" && expression.Key is KubernetesNames.GpuProductLabel or KubernetesNames.GpuModelLabel)
                {
                    var values = expression.Values ?? [];
                    Restrict(expression.Key == KubernetesNames.GpuProductLabel ? values.Select(GpuModelNames.FromProduct) : values);
                }
                else
                {
                    modelled = false;
                }
            }

            if (!modelled || terms[0]?.MatchFields is { Count: > 0 })
            {
                warnings.Add("spec.affinity.nodeAffinity has required terms Berth does not model (it reads nodeSelector and 'In' on the GPU model labels); the kubelet still enforces them, so a pod may be refused on a node Berth chose");
            }
        }

        return allowed is null ? [] : allowed.Order(StringComparer.Ordinal).ToArray();
    }

    /// <param name="replicas">True for a pod of time-sliced replicas: only the GPU indices are kept, one per replica (a GPU may repeat).</param>
    private static (IReadOnlyList<int> Gpus, int Milli) ReadAssignment(IDictionary<string, string>? annotations, bool replicas, List<string> warnings)
    {
        var indices = ModelMapping.Get(annotations, KubernetesNames.GpuIndicesAnnotation);
        var milliText = ModelMapping.Get(annotations, KubernetesNames.GpuMilliAnnotation);
        if (replicas)
        {
            if (indices is null)
            {
                return ([], 0);
            }

            if (!ModelMapping.TryIntList(indices, out var replicaGpus) || replicaGpus.Count == 0 || replicaGpus.Any(g => g < 0 || g >= Limits.MaxGpusPerNode))
            {
                warnings.Add($"annotation {KubernetesNames.GpuIndicesAnnotation} is '{indices}'; write the GPU of each time-sliced replica, e.g. 0; the assignment is ignored");
                return ([], 0);
            }

            return (replicaGpus.Distinct().ToArray(), 0);
        }

        if (indices is null && milliText is null)
        {
            return ([], 0);
        }

        if (indices is null || milliText is null)
        {
            warnings.Add($"annotations {KubernetesNames.GpuIndicesAnnotation} and {KubernetesNames.GpuMilliAnnotation} go together, but only one is set; the assignment is ignored");
            return ([], 0);
        }

        if (!ModelMapping.TryIntList(indices, out var gpus) || gpus.Count == 0)
        {
            warnings.Add($"annotation {KubernetesNames.GpuIndicesAnnotation} is '{indices}'; write GPU indices separated by commas, e.g. 0,1; the assignment is ignored");
            return ([], 0);
        }

        if (!int.TryParse(milliText, NumberStyles.None, CultureInfo.InvariantCulture, out var milli))
        {
            warnings.Add($"annotation {KubernetesNames.GpuMilliAnnotation} is '{milliText}'; write milli-GPU from 1 to 1000; the assignment is ignored");
            return ([], 0);
        }

        if (AssignmentProblem(gpus, milli) is { } problem)
        {
            warnings.Add($"the assignment annotations are invalid: {problem}; the assignment is ignored");
            return ([], 0);
        }

        return (gpus, milli);
    }
}
