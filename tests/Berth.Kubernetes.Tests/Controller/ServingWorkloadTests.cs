using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Translation;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// Serving replicas against the fake API server: the test does what the ReplicaSet and StatefulSet controllers do when
/// HPA or KEDA changes <c>spec.replicas</c> (creates or deletes pods from the template), and Berth sees only those pods.
/// </summary>
public sealed class ServingWorkloadTests
{
    private const string Hash = "5d8f7c9b4";

    [Fact]
    public async Task DeploymentScaleUp_FullQueue_PreemptsLowerPriorityTrainingInOneCycle_ThenBindsTheReplica()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8", reclaim: "Never"));
        h.Server.Seed(Objects.PriorityClass(ServingWorkloads.DefaultPriorityClass, 1000));
        h.Server.Seed(Objects.Job("train", 1, 8, "team-a"));
        await h.RunUntilQuietAsync();
        await h.ActAsJobControllerAsync();
        await h.RunUntilQuietAsync();
        Assert.False(h.ReadJob("train").Spec.Suspend);

        // HPA raises the Deployment's spec.replicas; its ReplicaSet creates one more pod.
        await h.Client.CoreV1.CreateNamespacedPodAsync(Replica("web", 0, gpus: 4), Objects.Ns);
        var plan = await h.CycleAsync();

        Assert.Equal("train", Assert.Single(plan.Suspensions).Name);
        var replica = plan.Engine!.Find($"pod/{Objects.Ns}/web-{Hash}-0")!.Workload;
        Assert.Equal($"deployment/{Objects.Ns}/web", replica.ServingGroup);
        Assert.Equal(1000, replica.Priority); // its template names no class: it takes berth-serving's

        await h.ActAsJobControllerAsync(); // the suspended Job's pods go
        await h.RunUntilQuietAsync();
        Assert.Equal("node-00", h.ReadPod($"web-{Hash}-0").Spec.NodeName);
        Assert.True(h.ReadJob("train").Spec.Suspend);
    }

    [Fact]
    public async Task DeploymentScaleUp_TrainingBorrowsTheServingQueuesQuota_ReclaimsItInOneCycle()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(Objects.Cohort("fleet"));
        h.SeedCluster(
            2,
            8,
            Objects.Queue("inference", "a100", "8", cohort: "fleet", reclaim: "Any"),
            Objects.Queue("training", "a100", "8", cohort: "fleet", borrowingLimit: "8"));
        h.Server.Seed(Objects.PriorityClass(ServingWorkloads.DefaultPriorityClass, 1000));
        h.Server.Seed(Objects.Job("t0", 1, 8, "training"));
        h.Server.Seed(Objects.Job("t1", 1, 8, "training")); // borrows inference's idle 8 GPUs
        await h.RunUntilQuietAsync();
        await h.ActAsJobControllerAsync();
        await h.RunUntilQuietAsync();
        Assert.All(new[] { "t0", "t1" }, j => Assert.False(h.ReadJob(j).Spec.Suspend));

        await h.Client.CoreV1.CreateNamespacedPodAsync(Replica("web", 0, gpus: 4, queue: "inference"), Objects.Ns);
        var plan = await h.CycleAsync();

        var victim = Assert.Single(plan.Suspensions).Name;
        Assert.Contains(victim, new[] { "t0", "t1" });
        await h.ActAsJobControllerAsync();
        await h.RunUntilQuietAsync();
        Assert.NotNull(h.ReadPod($"web-{Hash}-0").Spec.NodeName);
        Assert.True(h.ReadJob(victim).Spec.Suspend);
        Assert.False(h.ReadJob(victim == "t0" ? "t1" : "t0").Spec.Suspend); // only what the replica needed was taken back
    }

    [Fact]
    public async Task DeploymentScaleUp_TrainingWithinItsMinimumRuntime_IsKeptUntilTheRuntimeHasPassed()
    {
        var time = new Berth.TestKit.ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        var queue = Objects.Queue("team-a", "a100", "8", reclaim: "Never");
        queue.Spec = queue.Spec with { MinRuntime = "1h" };
        h.SeedCluster(1, 8, queue);
        h.Server.Seed(Objects.PriorityClass(ServingWorkloads.DefaultPriorityClass, 1000));
        h.Server.Seed(Objects.Job("train", 1, 8, "team-a"));
        await h.RunUntilQuietAsync();
        await h.ActAsJobControllerAsync();
        await h.RunUntilQuietAsync();

        time.Advance(30 * 60);
        await h.Client.CoreV1.CreateNamespacedPodAsync(Replica("web", 0, gpus: 4), Objects.Ns);
        var early = await h.CycleAsync();

        Assert.Empty(early.Suspensions); // 30 minutes into its guaranteed hour
        Assert.Null(h.ReadPod($"web-{Hash}-0").Spec.NodeName);

        time.Advance(31 * 60);
        var late = await h.CycleAsync();

        Assert.Equal("train", Assert.Single(late.Suspensions).Name);
    }

    [Fact]
    public async Task DeploymentReplicas_RoomOnEveryNode_AreSpreadOneNodeEach_WhileTrainingPodsOfTheSameSizePack()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(3, 8, Objects.Queue("team-a", "a100", "24"));
        h.Server.Seed(Objects.PriorityClass(ServingWorkloads.DefaultPriorityClass, 1000));
        for (var i = 0; i < 3; i++)
        {
            await h.Client.CoreV1.CreateNamespacedPodAsync(Replica("web", i, gpus: 2), Objects.Ns);
        }

        await h.RunUntilQuietAsync();

        var nodes = Enumerable.Range(0, 3).Select(i => h.ReadPod($"web-{Hash}-{i}").Spec.NodeName).ToList();
        Assert.All(nodes, Assert.NotNull);
        Assert.Equal(3, nodes.Distinct().Count()); // one replica per node, for availability

        h.SeedGroup("train", 3, 3, 2); // three 2-GPU training pods: packed, not spread
        await h.RunUntilQuietAsync();
        var trainNodes = Enumerable.Range(0, 3).Select(i => h.ReadPod($"train-{i}").Spec.NodeName).ToList();
        Assert.All(trainNodes, Assert.NotNull);
        Assert.True(trainNodes.Distinct().Count() < 3, $"training pods spread like serving: {string.Join(",", trainNodes)}");
    }

    [Fact]
    public async Task StatefulSetScaleDown_FreesQuota_PendingTrainingIsAdmittedInTheNextCycle()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8", reclaim: "Never"));
        h.Server.Seed(Objects.PriorityClass(ServingWorkloads.DefaultPriorityClass, 1000));
        h.Server.Seed(Replica("db", 0, gpus: 4, statefulSet: true));
        h.Server.Seed(Replica("db", 1, gpus: 4, statefulSet: true));
        await h.RunUntilQuietAsync();
        Assert.All(new[] { "db-0", "db-1" }, p => Assert.Equal("node-00", h.ReadPod(p).Spec.NodeName));
        await h.Client.BatchV1.CreateNamespacedJobAsync(Objects.Job("train", 1, 4, "team-a"), Objects.Ns);
        var full = await h.CycleAsync();
        Assert.Empty(full.JobAdmissions); // the replicas outrank it: it waits
        Assert.Equal($"statefulset/{Objects.Ns}/db", full.Engine!.Find($"pod/{Objects.Ns}/db-1")!.Workload.ServingGroup);

        // The autoscaler lowers spec.replicas to 1; the StatefulSet controller deletes the highest ordinal.
        await h.Client.CoreV1.DeleteNamespacedPodAsync("db-1", Objects.Ns);
        var plan = await h.CycleAsync();

        Assert.Equal("train", Assert.Single(plan.JobAdmissions).Name);
        Assert.Empty(plan.Suspensions);
        Assert.Empty(plan.Evictions);
    }

    [Fact]
    public async Task ReplicaWithoutQueue_WaitsWithAReasonNamingTheTemplateLabel()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(Replica("web", 0, gpus: 1, queue: null));

        await h.RunUntilQuietAsync();

        var pod = h.ReadPod($"web-{Hash}-0");
        Assert.Null(pod.Spec.NodeName);
        var condition = pod.Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal("QueueMissing", condition.Reason);
        Assert.Contains($"replica of deployment/{Objects.Ns}/web", condition.Message, StringComparison.Ordinal);
        Assert.Contains("spec.template.metadata.labels", condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplicaNamingNoQueue_WaitsWithQueueUnknown()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(Replica("web", 0, gpus: 1, queue: "inferense"));

        await h.RunUntilQuietAsync();

        var condition = h.ReadPod($"web-{Hash}-0").Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal("QueueUnknown", condition.Reason);
        Assert.Contains("queue inferense does not exist", condition.Message, StringComparison.Ordinal);
    }

    /// <summary>A pod as the ReplicaSet <c>&lt;name&gt;-&lt;hash&gt;</c> of Deployment <paramref name="name"/> (or StatefulSet <paramref name="name"/>) makes it from a template with the queue label and Berth's scheduler.</summary>
    private static V1Pod Replica(string name, int index, int gpus, string? queue = "team-a", bool statefulSet = false)
    {
        var pod = Objects.Pod(statefulSet ? $"{name}-{index}" : $"{name}-{Hash}-{index}", gpus: gpus, queue: queue);
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = statefulSet ? "StatefulSet" : "ReplicaSet", Name = statefulSet ? name : $"{name}-{Hash}", Uid = "uid-" + name, Controller = true }];
        if (!statefulSet)
        {
            pod.Metadata.Labels[ServingWorkloads.PodTemplateHashLabel] = Hash;
        }

        return pod;
    }
}
