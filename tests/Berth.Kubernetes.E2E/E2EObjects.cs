using System.Globalization;
using Berth.Kubernetes.Api;
using k8s.Models;

namespace Berth.Kubernetes.E2E;

/// <summary>The objects the scenarios create: flavors over the fake GPU nodes, queues, gang pods and queued Jobs.</summary>
internal static class E2EObjects
{
    /// <summary>A flavor of the fake nodes with GPU <paramref name="product"/>, whose pods get a toleration for <c>berth.dev/e2e</c>.</summary>
    public static Flavor Flavor(ClusterScenario s, string suffix, string product) => new()
    {
        Metadata = s.Meta(s.Name(suffix)),
        Spec = new FlavorSpec
        {
            NodeLabels = new Dictionary<string, string>
            {
                [KubernetesNames.GpuProductLabel] = product,
                [ClusterEnvironment.FakeGpuLabel] = ClusterEnvironment.FakeGpuLabelValue,
            },
            Tolerations = [new V1Toleration { Key = ClusterEnvironment.FakeGpuLabel, OperatorProperty = "Exists", Effect = "NoSchedule" }],
        },
    };

    /// <summary>A queue with a GPU quota in one flavor (CPU and memory not limited).</summary>
    public static Queue Queue(ClusterScenario s, string suffix, string flavor, string gpus, string? lendingLimit = null) => new()
    {
        Metadata = s.Meta(s.Name(suffix)),
        Spec = new QueueSpec
        {
            Flavors =
            [
                new FlavorQuotaSpec { Name = flavor, Resources = new FlavorResourcesSpec { Gpu = new ResourceQuotaSpec { NominalQuota = gpus, LendingLimit = lendingLimit } } },
            ],
        },
    };

    public static PodGroup Group(ClusterScenario s, string name, int minMember, string queue) => new()
    {
        Metadata = s.Meta(name, s.Namespace),
        Spec = new PodGroupSpec { MinMember = minMember, Queue = queue },
    };

    /// <summary>A member of pod group <paramref name="group"/>, scheduled by Berth, with <paramref name="gpus"/> GPUs.</summary>
    public static V1Pod GangPod(ClusterScenario s, string name, string group, int gpus)
    {
        var meta = s.Meta(name, s.Namespace);
        meta.Labels[KubernetesNames.PodGroupLabel] = group;
        return new V1Pod { Metadata = meta, Spec = PodSpec(gpus, "Never") };
    }

    /// <summary>A queued Job of one pod with <paramref name="gpus"/> GPUs: created suspended, labelled with its queue, its pods scheduled by Berth.</summary>
    public static V1Job Job(ClusterScenario s, string name, string queue, int gpus)
    {
        var meta = s.Meta(name, s.Namespace);
        meta.Labels[KubernetesNames.QueueLabel] = queue;
        return new V1Job
        {
            Metadata = meta,
            Spec = new V1JobSpec
            {
                Suspend = true,
                Parallelism = 1,
                Completions = 1,
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { [ClusterEnvironment.RunLabel] = meta.Labels[ClusterEnvironment.RunLabel], ["job"] = name } },
                    Spec = PodSpec(gpus, "Never"),
                },
            },
        };
    }

    /// <summary>One pause container: tiny CPU and memory requests, <paramref name="gpus"/> (fake) GPUs as a limit.</summary>
    private static V1PodSpec PodSpec(int gpus, string restartPolicy) => new()
    {
        SchedulerName = KubernetesNames.SchedulerName,
        RestartPolicy = restartPolicy,
        TerminationGracePeriodSeconds = 1,
        Containers =
        [
            new V1Container
            {
                Name = "main",
                Image = ClusterEnvironment.Image,
                ImagePullPolicy = "IfNotPresent",
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("16Mi") },
                    Limits = new Dictionary<string, ResourceQuantity>
                    {
                        ["memory"] = new("16Mi"),
                        [KubernetesNames.GpuResource] = new(gpus.ToString(CultureInfo.InvariantCulture)),
                    },
                },
            },
        ],
    };
}
