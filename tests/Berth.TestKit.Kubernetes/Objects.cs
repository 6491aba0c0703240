using Berth.Kubernetes;
using Berth.Kubernetes.Api;
using k8s.Models;

namespace Berth.TestKit.Kubernetes;

/// <summary>Small builders for the objects the controller tests put on the fake API server.</summary>
internal static partial class Objects
{
    public const string Ns = "default";

    public static V1Node GpuNode(string name, int gpus = 8, string pool = "a100", string? rack = null, bool ready = true, IList<V1Taint>? taints = null, IDictionary<string, string>? annotations = null)
    {
        var labels = new Dictionary<string, string> { ["pool"] = pool, ["kubernetes.io/hostname"] = name };
        if (rack is not null)
        {
            labels["topology.berth.io/rack"] = rack;
        }

        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new("64"),
            ["memory"] = new("512Gi"),
            ["nvidia.com/gpu"] = new(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["pods"] = new("110"),
        };
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = name, Labels = labels, Annotations = annotations },
            Spec = new V1NodeSpec { Taints = taints },
            Status = new V1NodeStatus
            {
                Capacity = capacity,
                Allocatable = capacity,
                Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            },
        };
    }

    public static Flavor Flavor(string name, string pool) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new FlavorSpec { NodeLabels = new Dictionary<string, string> { ["pool"] = pool } },
    };

    public static Cohort Cohort(string name) => new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new CohortSpec() };

    public static Queue Queue(string name, string flavor, string gpus, string? cohort = null, string? borrowingLimit = null, string? reclaim = null, string? strategy = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new QueueSpec
        {
            Cohort = cohort,
            QueueingStrategy = strategy,
            Flavors =
            [
                new FlavorQuotaSpec
                {
                    Name = flavor,
                    Resources = new FlavorResourcesSpec
                    {
                        Gpu = new ResourceQuotaSpec { NominalQuota = gpus, BorrowingLimit = borrowingLimit },
                        Cpu = new ResourceQuotaSpec { NominalQuota = "10000" },
                        Memory = new ResourceQuotaSpec { NominalQuota = "100Ti" },
                    },
                },
            ],
            Preemption = reclaim is null ? null : new QueuePreemptionSpec { ReclaimWithinCohort = reclaim, WithinQueue = "LowerPriority" },
        },
    };

    public static PodGroup Group(string name, int minMember, string queue, string ns = Ns) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new PodGroupSpec { MinMember = minMember, Queue = queue },
    };

    public static V1Pod Pod(string name, int gpus = 1, string? group = null, string? queue = null, string ns = Ns, string scheduler = KubernetesNames.SchedulerName)
    {
        var labels = new Dictionary<string, string>();
        if (group is not null)
        {
            labels[KubernetesNames.PodGroupLabel] = group;
        }

        if (queue is not null)
        {
            labels[KubernetesNames.QueueLabel] = queue;
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
            Spec = new V1PodSpec
            {
                SchedulerName = scheduler,
                Containers = [GpuContainer(gpus)],
            },
        };
    }

    public static V1Job Job(string name, int parallelism, int gpusPerPod, string queue, string ns = Ns, bool suspend = true, string? priorityClass = null) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { [KubernetesNames.KueueQueueLabel] = queue } },
        Spec = new V1JobSpec
        {
            Suspend = suspend,
            Parallelism = parallelism,
            Completions = parallelism,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [GpuContainer(gpusPerPod)], PriorityClassName = priorityClass },
            },
        },
    };

    public static V1PriorityClass PriorityClass(string name, int value) => new()
    {
        ApiVersion = "scheduling.k8s.io/v1",
        Kind = "PriorityClass",
        Metadata = new V1ObjectMeta { Name = name },
        Value = value,
    };

    private static V1Container GpuContainer(int gpus) => new()
    {
        Name = "main",
        Image = "trainer:latest",
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["nvidia.com/gpu"] = new(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
            Limits = new Dictionary<string, ResourceQuantity> { ["nvidia.com/gpu"] = new(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
        },
    };
}
