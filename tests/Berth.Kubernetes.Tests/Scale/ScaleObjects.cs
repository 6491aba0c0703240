using System.Globalization;
using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Tests.Controller;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Scale;

/// <summary>Builders for the large clusters of the scale scenarios: numbered 8-GPU nodes, queues with room, pods as the controller leaves them.</summary>
internal static class ScaleObjects
{
    public const string Flavor = "a100";

    public static string NodeName(int i) => string.Create(CultureInfo.InvariantCulture, $"node-{i:D5}");

    public static string QueueName(int i) => string.Create(CultureInfo.InvariantCulture, $"q-{i:D3}");

    /// <summary>Seeds the nodes, one flavor over them, and <paramref name="queues"/> queues whose quotas together cover the whole cluster (CPU and memory never bind).</summary>
    public static void SeedCluster(Fake.FakeApiServer server, int nodes, int queues, int gpusPerNode = 8)
    {
        for (var i = 0; i < nodes; i++)
        {
            var node = Objects.GpuNode(NodeName(i), gpusPerNode);
            node.Metadata.Labels[KubernetesNames.GpuProductLabel] = "NVIDIA-A100-SXM4-80GB";
            server.Seed(node);
        }

        server.Seed(Objects.Flavor(Flavor, Flavor));
        var gpus = ((long)nodes * gpusPerNode + queues - 1) / queues;
        for (var q = 0; q < queues; q++)
        {
            var queue = Objects.Queue(QueueName(q), Flavor, gpus.ToString(CultureInfo.InvariantCulture));
            var flavors = queue.Spec.Flavors!;
            var flavor = flavors[0];
            flavors[0] = flavor with
            {
                Resources = flavor.Resources! with
                {
                    Cpu = new ResourceQuotaSpec { NominalQuota = (nodes * 64L).ToString(CultureInfo.InvariantCulture) },
                    Memory = new ResourceQuotaSpec { NominalQuota = (nodes * 512L).ToString(CultureInfo.InvariantCulture) + "Gi" },
                },
            };
            server.Seed(queue);
        }
    }

    /// <summary>A pod of a pod group asking for one GPU, or <paramref name="shareMilli"/> of one (<c>berth.dev/gpu-share</c>).</summary>
    public static V1Pod Member(string name, string group, int? shareMilli = null)
    {
        var pod = Objects.Pod(name, gpus: 1, group: group);
        if (shareMilli is { } share)
        {
            pod.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.GpuShareRequestAnnotation] = share.ToString(CultureInfo.InvariantCulture) };
        }

        return pod;
    }

    /// <summary>Makes <paramref name="pod"/> look as Berth's binding left it: on the node, with its GPU annotations, scheduled and running.</summary>
    public static V1Pod Bound(V1Pod pod, string node, int gpu, int milli)
    {
        pod.Spec.NodeName = node;
        pod.Metadata.Annotations ??= new Dictionary<string, string>();
        pod.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation] = gpu.ToString(CultureInfo.InvariantCulture);
        pod.Metadata.Annotations[KubernetesNames.GpuMilliAnnotation] = milli.ToString(CultureInfo.InvariantCulture);
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "True" }],
        };
        return pod;
    }

    /// <summary>A pod group Berth admitted: its admission record and the status the controller writes (Running once all members are bound, else Admitted).</summary>
    public static PodGroup Admitted(string name, int minMember, string queue, IReadOnlyList<PlannedPod> planned, DateTimeOffset admittedAt, bool allBound)
    {
        var group = Objects.Group(name, minMember, queue);
        group.Metadata.Uid = $"uid-{name}"; // the seal covers the uid (the fake keeps a seeded one)
        var record = TestSeals.Key.Sign(new AdmissionRecord { Flavor = Flavor, AdmittedAt = admittedAt, Pods = planned }, group.Metadata.Uid);
        group.Metadata.Annotations = new Dictionary<string, string> { [AdmissionRecord.AnnotationName] = record.ToJson() };
        group.Status = new PodGroupStatus
        {
            Phase = allBound ? "Running" : "Admitted",
            AdmittedFlavor = Flavor,
            Conditions =
            [
                new V1Condition
                {
                    Type = ConditionTypes.Admitted,
                    Status = "True",
                    Reason = "Admitted",
                    Message = $"admitted in flavor {Flavor}",
                    LastTransitionTime = admittedAt.UtcDateTime,
                },
            ],
        };
        return group;
    }

    /// <summary>Milli-GPU in use per (node, GPU) according to the pods' assignment annotations.</summary>
    public static Dictionary<(string Node, int Gpu), int> GpuUse(IEnumerable<V1Pod> pods)
    {
        var use = new Dictionary<(string, int), int>();
        foreach (var pod in pods)
        {
            if (string.IsNullOrEmpty(pod.Spec?.NodeName) || pod.Metadata.Annotations is not { } annotations
                || !annotations.TryGetValue(KubernetesNames.GpuIndicesAnnotation, out var indices)
                || !annotations.TryGetValue(KubernetesNames.GpuMilliAnnotation, out var milliText))
            {
                continue;
            }

            var milli = int.Parse(milliText, CultureInfo.InvariantCulture);
            foreach (var gpu in indices.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var key = (pod.Spec.NodeName, int.Parse(gpu, CultureInfo.InvariantCulture));
                use[key] = use.GetValueOrDefault(key) + milli;
            }
        }

        return use;
    }
}
