using Berth.Kubernetes.Api;
using k8s.Models;

namespace Berth.TestKit.Kubernetes;

/// <summary>The Kubernetes object builders, part 2: objects spelled out field by field (quantities as text, containers one by one), for the translator tests.</summary>
internal static partial class Objects
{
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Flavor FlavorOf(string name, IDictionary<string, string>? labels = null, IList<V1Toleration>? tolerations = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Generation = 1 },
        Spec = new FlavorSpec { NodeLabels = labels, Tolerations = tolerations },
    };

    public static Cohort CohortOf(string name, string? parent = null, IList<FlavorQuotaSpec>? flavors = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Generation = 1 },
        Spec = new CohortSpec { Parent = parent, Flavors = flavors },
    };

    public static Queue QueueOf(string name, string? cohort = null, params FlavorQuotaSpec[] flavors) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Generation = 3 },
        Spec = new QueueSpec { Cohort = cohort, Flavors = flavors.Length == 0 ? [Gpu("a100", "8")] : flavors },
    };

    public static FlavorQuotaSpec Gpu(string flavor, string nominal, string? borrowing = null, string? lending = null) => new()
    {
        Name = flavor,
        Resources = new FlavorResourcesSpec { Gpu = new ResourceQuotaSpec { NominalQuota = nominal, BorrowingLimit = borrowing, LendingLimit = lending } },
    };

    public static FlavorQuotaSpec Quota(string flavor, string? gpu = null, string? cpu = null, string? memory = null) => new()
    {
        Name = flavor,
        Resources = new FlavorResourcesSpec
        {
            Gpu = gpu is null ? null : new ResourceQuotaSpec { NominalQuota = gpu },
            Cpu = cpu is null ? null : new ResourceQuotaSpec { NominalQuota = cpu },
            Memory = memory is null ? null : new ResourceQuotaSpec { NominalQuota = memory },
        },
    };

    public static V1Node Node(string name, string cpu = "64", string memory = "512Gi", string? gpus = "8", bool ready = true) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { [KubernetesNames.GpuProductLabel] = "NVIDIA-A100-SXM4-80GB", ["kubernetes.io/hostname"] = name },
            Annotations = new Dictionary<string, string>(),
        },
        Spec = new V1NodeSpec(),
        Status = new V1NodeStatus
        {
            Allocatable = Resources(cpu, memory, gpus),
            Capacity = Resources(cpu, memory, gpus),
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };

    public static V1Container Container(string? cpu = null, string? memory = null, int gpus = 0, string? cpuLimit = null, string? memoryLimit = null)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        var limits = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null)
        {
            requests["cpu"] = new ResourceQuantity(cpu);
        }

        if (memory is not null)
        {
            requests["memory"] = new ResourceQuantity(memory);
        }

        if (cpuLimit is not null)
        {
            limits["cpu"] = new ResourceQuantity(cpuLimit);
        }

        if (memoryLimit is not null)
        {
            limits["memory"] = new ResourceQuantity(memoryLimit);
        }

        if (gpus > 0)
        {
            limits[KubernetesNames.GpuResource] = new ResourceQuantity(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return new V1Container { Name = "c", Image = "busybox", Resources = new V1ResourceRequirements { Requests = requests, Limits = limits } };
    }

    public static V1Pod PodOf(string name, string ns = "ml", params V1Container[] containers) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Uid = "uid-" + name,
            Labels = new Dictionary<string, string>(),
            Annotations = new Dictionary<string, string>(),
            CreationTimestamp = Epoch.UtcDateTime.AddMinutes(5),
        },
        Spec = new V1PodSpec
        {
            SchedulerName = KubernetesNames.SchedulerName,
            Containers = containers.Length == 0 ? [Container("1", "1Gi", 1)] : containers,
        },
        Status = new V1PodStatus { Phase = "Pending" },
    };

    public static V1Pod With(this V1Pod pod, string? label = null, string? labelValue = null, string? annotation = null, string? annotationValue = null)
    {
        if (label is not null)
        {
            pod.Metadata.Labels[label] = labelValue!;
        }

        if (annotation is not null)
        {
            pod.Metadata.Annotations[annotation] = annotationValue!;
        }

        return pod;
    }

    private static Dictionary<string, ResourceQuantity> Resources(string cpu, string memory, string? gpus)
    {
        var map = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) };
        if (gpus is not null)
        {
            map[KubernetesNames.GpuResource] = new ResourceQuantity(gpus);
        }

        return map;
    }
}
