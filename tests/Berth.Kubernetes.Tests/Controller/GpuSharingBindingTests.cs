using Berth.Kubernetes.Controller;
using Berth.Model.Gpus;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// MIG instances and time-sliced replicas on nodes described by NVIDIA's device plugin and GPU Feature Discovery,
/// end to end against the fake API server: the node's labels and allocatable resources become its sharing, pods'
/// <c>nvidia.com/mig-*</c> and <c>nvidia.com/gpu.shared</c> requests are placed and bound with their devices recorded.
/// </summary>
public sealed class GpuSharingBindingTests
{
    /// <summary>An A100-80GB node under the mixed MIG strategy with seven 1g.10gb instances on its one GPU.</summary>
    internal static V1Node MixedMigNode(string name, string profileCount = "7")
    {
        var node = Objects.GpuNode(name, gpus: 0);
        node.Metadata.Labels[KubernetesNames.GpuProductLabel] = "NVIDIA-A100-SXM4-80GB";
        node.Metadata.Labels[KubernetesNames.GpuMemoryLabel] = "81920";
        node.Metadata.Labels[KubernetesNames.GpuCountLabel] = "1";
        node.Metadata.Labels[KubernetesNames.MigStrategyLabel] = "mixed";
        node.Status.Allocatable.Remove(GpuResourceNames.Gpu);
        node.Status.Allocatable["nvidia.com/mig-1g.10gb"] = new ResourceQuantity(profileCount);
        return node;
    }

    /// <summary>A node of 2 GPUs time-sliced into <paramref name="replicas"/> replicas each, advertised as <c>nvidia.com/gpu.shared</c>.</summary>
    internal static V1Node TimeSlicedNode(string name, int gpus, string replicas)
    {
        var node = Objects.GpuNode(name, gpus: 0);
        node.Metadata.Labels[KubernetesNames.GpuProductLabel] = "NVIDIA-A100-SXM4-80GB";
        node.Metadata.Labels[KubernetesNames.GpuCountLabel] = gpus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        node.Metadata.Labels[KubernetesNames.GpuReplicasLabel] = replicas;
        node.Metadata.Labels[KubernetesNames.GpuSharingStrategyLabel] = "time-slicing";
        node.Status.Allocatable.Remove(GpuResourceNames.Gpu);
        node.Status.Allocatable[GpuResourceNames.SharedGpu] = new ResourceQuantity((gpus * 4).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return node;
    }

    internal static V1Pod SharedPod(string name, string resource, string amount = "1")
    {
        var pod = Objects.Pod(name, gpus: 0, queue: "team-a");
        pod.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Limits = new Dictionary<string, ResourceQuantity> { [resource] = new(amount) },
        };
        return pod;
    }

    private static string Unschedulable(DecisionPlan plan, string pod) =>
        plan.Unschedulable.Where(u => u.Pod == pod).Select(u => $"{u.Reason}: {u.Message}").FirstOrDefault() ?? "";

    [Fact]
    public async Task MixedMigNode_TakesTwo1gPods_OnDistinctInstances_AndA3gPodWaitsWithAReason()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(MixedMigNode("mig-00"));
        h.Server.Seed(Objects.Flavor("a100", "a100"));
        h.Server.Seed(Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(SharedPod("small-0", "nvidia.com/mig-1g.10gb"));
        h.Server.Seed(SharedPod("small-1", "nvidia.com/mig-1g.10gb"));
        h.Server.Seed(SharedPod("wide", "nvidia.com/mig-3g.40gb"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.True(plan.Bindings.Count == 2, ControllerHarness.Describe(plan));
        var instances = new[] { "small-0", "small-1" }.Select(n => h.ReadPod(n)).ToArray();
        Assert.All(instances, p => Assert.Equal("mig-00", p.Spec.NodeName));
        var where = instances.Select(p => p.Metadata.Annotations[KubernetesNames.MigInstancesAnnotation]).ToArray();
        Assert.All(where, w => Assert.Matches(@"^0:1g\.10gb@[0-6]$", w));
        Assert.NotEqual(where[0], where[1]);

        Assert.Null(h.ReadPod("wide").Spec.NodeName);
        Assert.Contains("no idle MIG instance of 3g.40gb", Unschedulable(plan, "wide"), StringComparison.Ordinal);

        // The next cycle reads the instances back from the annotations: six more 1g pods, five fit the five idle
        // instances, none on an instance already held, and the sixth waits.
        for (var i = 2; i < 8; i++)
        {
            h.Server.Seed(SharedPod($"small-{i}", "nvidia.com/mig-1g.10gb"));
        }

        var again = await h.CycleAsync();
        await h.SettleAsync();

        Assert.True(again.Bindings.Count == 5, string.Join(" | ", again.Warnings));
        var held = Enumerable.Range(0, 8).Select(i => h.ReadPod($"small-{i}"))
            .Where(p => p.Spec.NodeName is not null).Select(p => p.Metadata.Annotations[KubernetesNames.MigInstancesAnnotation]).ToArray();
        Assert.Equal(7, held.Length);
        Assert.Equal(7, held.Distinct().Count());
        Assert.Contains("no idle MIG instance of 1g.10gb", string.Join(" ", again.Unschedulable.Select(u => u.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeSlicedNode_WithReplicas4_TakesFourSharedPods_AndTheFifthWaits()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(TimeSlicedNode("ts-00", gpus: 1, replicas: "4"));
        h.Server.Seed(Objects.Flavor("a100", "a100"));
        h.Server.Seed(Objects.Queue("team-a", "a100", "8"));
        for (var i = 0; i < 5; i++)
        {
            h.Server.Seed(SharedPod($"infer-{i}", GpuResourceNames.SharedGpu));
        }

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal(4, plan.Bindings.Count);
        var pods = Enumerable.Range(0, 5).Select(i => h.ReadPod($"infer-{i}")).ToArray();
        var bound = pods.Where(p => p.Spec.NodeName == "ts-00").ToArray();
        Assert.Equal(4, bound.Length);
        Assert.All(bound, p => Assert.Equal("0", p.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation]));
        var waiting = Assert.Single(pods, p => p.Spec.NodeName is null);
        Assert.Contains("no GPU with the replicas", Unschedulable(plan, waiting.Metadata.Name), StringComparison.Ordinal);

        // The next cycle puts the four back on GPU 0 from their annotations: no misfit, and the fifth still waits for a replica.
        var again = await h.CycleAsync();
        Assert.Empty(again.Bindings);
        Assert.DoesNotContain(again.Warnings, w => w.Contains("does not fit", StringComparison.Ordinal));
        await h.SettleAsync();
        Assert.Null(h.ReadPod(waiting.Metadata.Name).Spec.NodeName);
        Assert.Contains(h.ReadPod(waiting.Metadata.Name).Status?.Conditions ?? [], c => c.Type == "PodScheduled" && c.Message.Contains("no GPU with the replicas", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadReplicasLabel_IsReportedNamingTheLabel_AndTheNodeIsNotShared()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(TimeSlicedNode("ts-00", gpus: 1, replicas: "four"));
        h.Server.Seed(Objects.Flavor("a100", "a100"));
        h.Server.Seed(Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(SharedPod("infer-0", GpuResourceNames.SharedGpu));

        var plan = await h.CycleAsync();

        Assert.Contains(plan.Warnings, w => w.StartsWith("node ts-00:", StringComparison.Ordinal) && w.Contains(KubernetesNames.GpuReplicasLabel + " is 'four'", StringComparison.Ordinal));
        Assert.Empty(plan.Bindings);
    }

    [Fact]
    public async Task UnknownMigProfile_IsInvalidSpec_ListingTheValidProfiles()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.Server.Seed(MixedMigNode("mig-00"));
        h.Server.Seed(Objects.Flavor("a100", "a100"));
        h.Server.Seed(Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(SharedPod("odd", "nvidia.com/mig-5g.50gb"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(plan.Bindings);
        var reason = Unschedulable(plan, "odd");
        Assert.StartsWith("InvalidSpec", reason, StringComparison.Ordinal);
        Assert.Contains("nvidia.com/mig-5g.50gb", reason, StringComparison.Ordinal);
        Assert.Contains("nvidia.com/mig-3g.40gb", reason, StringComparison.Ordinal);
    }
}
