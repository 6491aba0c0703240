using Berth.Kubernetes.Controller;
using Berth.TestKit.Kubernetes;
using k8s.Models;

namespace Berth.TestKit.Kubernetes.Snapshots;

/// <summary>
/// A small cluster for what-if tests, captured at <see cref="Now"/>: four 8-GPU nodes of pool a100; queues
/// team-a and team-b (8 GPUs each) in cohort org; Job <c>train</c> of team-a running on n1 (all 8 GPUs) since
/// an hour ago, expected to run 3h (2h left); Job <c>gang</c> of team-b pending, 2 pods x 8 GPUs (needs 8
/// borrowed from team-a, which uses all of its quota); a pod of another scheduler holding 2 GPUs of n3;
/// and a PriorityClass.
/// </summary>
public static class WhatIfCluster
{
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static ClusterSnapshot Snapshot() => new()
    {
        Now = Now,
        Nodes = [Node("n1"), Node("n2"), Node("n3"), Node("n4")],
        Pods = [TrainPod(), OtherPod()],
        Jobs = [Train(), Gang()],
        PriorityClasses = [Objects.PriorityClass("high", 1000)],
        Queues =
        [
            Objects.Queue("team-a", "a100", "8", cohort: "org"),
            Objects.Queue("team-b", "a100", "8", cohort: "org"),
        ],
        Cohorts = [Objects.Cohort("org")],
        Flavors = [Objects.Flavor("a100", "a100")],
    };

    /// <summary>Puts every object of <see cref="Snapshot"/> on the server (creation times are the server's).</summary>
    public static void Seed(Berth.TestKit.Kubernetes.Fake.FakeApiServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var snapshot = Snapshot();
        foreach (var o in snapshot.Nodes)
        {
            server.Seed(o);
        }

        foreach (var o in snapshot.Pods)
        {
            server.Seed(o);
        }

        foreach (var o in snapshot.Jobs)
        {
            server.Seed(o);
        }

        foreach (var o in snapshot.PriorityClasses)
        {
            server.Seed(o);
        }

        foreach (var o in snapshot.Flavors)
        {
            server.Seed(o);
        }

        foreach (var o in snapshot.Cohorts)
        {
            server.Seed(o);
        }

        foreach (var o in snapshot.Queues)
        {
            server.Seed(o);
        }
    }

    private static V1Node Node(string name)
    {
        var node = Objects.GpuNode(name);
        node.Metadata.Labels["nvidia.com/gpu.product"] = "NVIDIA-A100-SXM4-80GB";
        return node;
    }

    private static V1Job Train()
    {
        var job = Objects.Job("train", 1, 8, "team-a", suspend: false);
        job.Metadata.Uid = "uid-train";
        job.Metadata.CreationTimestamp = Now.AddHours(-1).UtcDateTime;
        job.Metadata.Annotations = new Dictionary<string, string>
        {
            [KubernetesNames.ExpectedRunTimeAnnotation] = "3h",
            [AdmissionRecord.AnnotationName] = new AdmissionRecord
            {
                Flavor = "a100",
                AdmittedAt = Now.AddHours(-1),
                Pods = [new PlannedPod(0, "n1", [0, 1, 2, 3, 4, 5, 6, 7], 1000)],
            }.ToJson(),
        };
        return job;
    }

    private static V1Job Gang()
    {
        var job = Objects.Job("gang", 2, 8, "team-b");
        job.Metadata.CreationTimestamp = Now.AddMinutes(-30).UtcDateTime;
        job.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.ExpectedRunTimeAnnotation] = "1h" };
        return job;
    }

    private static V1Pod TrainPod()
    {
        var pod = Objects.Pod("train-0", 8, scheduler: "default-scheduler");
        pod.Metadata.CreationTimestamp = Now.AddHours(-1).UtcDateTime;
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = "train", Uid = "uid-train", Controller = true }];
        pod.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.GpuIndicesAnnotation] = "0,1,2,3,4,5,6,7", [KubernetesNames.GpuMilliAnnotation] = "1000" };
        pod.Spec.NodeName = "n1";
        pod.Status = new V1PodStatus { Phase = "Running" };
        return pod;
    }

    private static V1Pod OtherPod()
    {
        var pod = Objects.Pod("inference-0", 2, ns: "serving", scheduler: "default-scheduler");
        pod.Metadata.CreationTimestamp = Now.AddDays(-1).UtcDateTime;
        pod.Spec.NodeName = "n3";
        pod.Status = new V1PodStatus { Phase = "Running" };
        return pod;
    }
}
