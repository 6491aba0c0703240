using k8s;
using Berth.Kubernetes.Api;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

public sealed class GangBindingTests
{
    [Fact]
    public async Task PodGroupOfEight_Fits_AllEightBoundInOneDecisionWithDistinctGpus()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        h.SeedGroup("train", minMember: 8, pods: 8, gpus: 2);

        var plan = await h.CycleAsync();

        Assert.Equal(8, plan.Bindings.Count);
        Assert.Equal(8, h.Server.Bindings.Count);
        var gpusInUse = new HashSet<(string, int)>();
        for (var i = 0; i < 8; i++)
        {
            var pod = h.ReadPod($"train-{i}");
            Assert.False(string.IsNullOrEmpty(pod.Spec.NodeName));
            var gpus = pod.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation].Split(',').Select(int.Parse).ToArray();
            Assert.Equal(2, gpus.Length);
            Assert.All(gpus, g => Assert.True(gpusInUse.Add((pod.Spec.NodeName, g)), $"GPU {g} of {pod.Spec.NodeName} given twice"));
        }

        await h.SettleAsync();
        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.Equal(PodGroupPhases.Admitted, group.Status.Phase);
        Assert.Equal("a100", group.Status.AdmittedFlavor);
        Assert.NotNull(Berth.Kubernetes.Controller.AdmissionRecord.Parse(group.Metadata.Annotations));
    }

    [Fact]
    public async Task PodGroupOfEight_OneGpuTakenByAnotherScheduler_NoPodBoundUntilItLeavesThenAllEight()
    {
        var time = new Berth.TestKit.ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "32"));
        var foreign = Objects.Pod("inference", gpus: 1, scheduler: "default-scheduler");
        foreign.Spec.NodeName = "node-00";
        h.Server.Seed(foreign);
        h.SeedGroup("train", minMember: 8, pods: 8, gpus: 2);

        var plan = await h.CycleAsync();

        Assert.Empty(plan.Bindings);
        Assert.Empty(h.Server.Bindings);
        await h.SettleAsync();
        for (var i = 0; i < 8; i++)
        {
            var pod = h.ReadPod($"train-{i}");
            Assert.Null(pod.Spec.NodeName);
            var condition = Assert.Single(pod.Status.Conditions, c => c.Type == "PodScheduled");
            Assert.Equal("False", condition.Status);
            Assert.False(string.IsNullOrEmpty(condition.Reason));
            Assert.Contains("position 1", condition.Message);
        }

        var events = h.Server.List<Corev1Event>(Objects.Ns);
        Assert.Equal(8, events.Count(e => e.Reason == "FailedScheduling" && e.InvolvedObject.Kind == "Pod" && e.Source.Component == KubernetesNames.SchedulerName));
        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.Equal(PodGroupPhases.Pending, group.Status.Phase);
        Assert.NotNull(group.Status.PendingReason);
        Assert.Equal(1, group.Status.QueuePosition);

        time.Advance(1.1); // time passes: nothing about the waiting gang may be rewritten because of that alone
        Assert.InRange(await h.RunUntilQuietAsync(), 1, 2);

        await h.Client.CoreV1.DeleteNamespacedPodAsync("inference", Objects.Ns);
        var after = await h.CycleAsync();

        Assert.Equal(8, after.Bindings.Count);
        Assert.Equal(8, h.Server.Bindings.Count);
    }

    [Fact]
    public async Task PodGroup_LargerThanTheCluster_FailsWithNeverFitsAndNothingBound()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "32"));
        h.Server.Seed(Objects.Group("train", 8, "team-a"));
        for (var i = 0; i < 8; i++)
        {
            h.Server.Seed(Objects.Pod($"train-{i}", gpus: i == 7 ? 4 : 2, group: "train"));
        }

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(h.Server.Bindings);
        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.Equal(PodGroupPhases.Failed, group.Status.Phase);
        Assert.Equal("NeverFits", group.Status.PendingReason?.Code);
        Assert.Equal("False", Assert.Single(group.Status.Conditions!, c => c.Type == ConditionTypes.Admitted).Status);
        Assert.Equal(1, plan.Pending[("team-a", "NeverFits")]);
    }

    [Fact]
    public async Task PodGroup_FewerPodsThanMinMember_WaitsThenBindsAllAtOnce()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        h.SeedGroup("train", minMember: 8, pods: 5, gpus: 2);

        var first = await h.CycleAsync();
        Assert.Empty(first.Bindings);
        await h.SettleAsync();
        Assert.Equal("GangIncomplete", h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.PendingReason?.Code);

        for (var i = 5; i < 8; i++)
        {
            await h.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"train-{i}", gpus: 2, group: "train"), Objects.Ns);
        }

        var second = await h.CycleAsync();
        Assert.Equal(8, second.Bindings.Count);
        Assert.Equal(8, h.Server.Bindings.Count);
    }

    [Fact]
    public async Task LabelOnlyGang_WithMinMemberAnnotation_BindsOnlyWhenAllPresent()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        V1Pod Member(int i)
        {
            var pod = Objects.Pod($"w-{i}", gpus: 2, group: "gang", queue: "team-a");
            pod.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.MinMemberAnnotation] = "4" };
            return pod;
        }

        for (var i = 0; i < 3; i++)
        {
            h.Server.Seed(Member(i));
        }

        Assert.Empty((await h.CycleAsync()).Bindings);
        h.Server.Seed(Member(3));
        Assert.Equal(4, (await h.CycleAsync()).Bindings.Count);
    }

    [Fact]
    public async Task SecondDecision_AfterBinding_WritesNothingAndBindsNothingTwice()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        h.SeedGroup("train", minMember: 8, pods: 8, gpus: 2);

        await h.CycleAsync();
        var cycles = await h.RunUntilQuietAsync();

        Assert.Equal(8, h.Server.Bindings.Count);
        Assert.InRange(cycles, 1, 3);
    }
}

public sealed class SharingAndTopologyTests
{
    [Fact]
    public async Task TwoHalfGpuPods_ShareOneGpu_AndTheAnnotationsSayWhichAndHowMuch()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 2, Objects.Queue("team-a", "a100", "2"));
        for (var i = 0; i < 3; i++)
        {
            var pod = Objects.Pod($"infer-{i}", gpus: 1, queue: "team-a");
            pod.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.GpuShareRequestAnnotation] = "500" };
            h.Server.Seed(pod);
        }

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal(3, plan.Bindings.Count);
        var gpus = Enumerable.Range(0, 3).Select(i => h.ReadPod($"infer-{i}").Metadata.Annotations).ToArray();
        Assert.All(gpus, a => Assert.Equal("500", a[KubernetesNames.GpuMilliAnnotation]));
        var perGpu = gpus.GroupBy(a => a[KubernetesNames.GpuIndicesAnnotation]).Select(g => g.Count()).OrderDescending().ToArray();
        Assert.Equal([2, 1], perGpu); // packed: two halves on one GPU, the third starts the other
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PodGroupWithRequiredRackTopology_AllPodsLandInOneRack(bool required)
    {
        await using var h = await ControllerHarness.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            h.Server.Seed(Objects.GpuNode($"node-{i:D2}", 8, rack: i < 2 ? "r1" : "r2"));
        }

        // Half of node-00 (rack r1) and of node-02 (rack r2) is taken: packing alone would use those two halves, across racks.
        h.Server.Seed(Objects.Flavor("a100", "a100"));
        h.Server.Seed(Objects.Queue("team-a", "a100", "32"));
        foreach (var node in new[] { "node-00", "node-02" })
        {
            var other = Objects.Pod($"other-{node}", gpus: 4, scheduler: "default-scheduler");
            other.Spec.NodeName = node;
            h.Server.Seed(other);
        }

        var group = Objects.Group("ring", 2, "team-a");
        if (required)
        {
            group.Spec = group.Spec with { Topology = new Berth.Kubernetes.Api.TopologySpec { Key = "rack", Mode = "Required" } };
        }

        h.Server.Seed(group);
        h.Server.Seed(Objects.Pod("ring-0", gpus: 4, group: "ring"));
        h.Server.Seed(Objects.Pod("ring-1", gpus: 4, group: "ring"));

        var plan = await h.CycleAsync();

        var racks = plan.Bindings.Select(b => int.Parse(b.Node[^2..], System.Globalization.CultureInfo.InvariantCulture) < 2 ? "r1" : "r2").Distinct().Count();
        Assert.Equal(2, plan.Bindings.Count);
        Assert.Equal(required ? 1 : 2, racks);
    }
}

public sealed class MinMemberTests
{
    [Fact]
    public async Task PodGroupWithMinMemberBelowItsPods_RoomForOnlyMinMember_BindsThatManyAtOnceAndNoMore()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(Objects.Group("elastic", 4, "team-a"));
        for (var i = 0; i < 8; i++)
        {
            h.Server.Seed(Objects.Pod($"e-{i}", gpus: 2, group: "elastic"));
        }

        var plan = await h.CycleAsync();
        Assert.Equal(4, plan.Bindings.Count);
        Assert.InRange(await h.RunUntilQuietAsync(), 1, 3);
        Assert.Equal(4, h.Server.Bindings.Count);
        var waiting = Enumerable.Range(0, 8).Select(i => h.ReadPod($"e-{i}")).Where(p => p.Spec.NodeName is null).ToArray();
        Assert.Equal(4, waiting.Length);
        Assert.All(waiting, p => Assert.Equal(Berth.Kubernetes.Controller.DecisionPlanner.BeyondAdmittedCountReason, p.Status.Conditions.Single(c => c.Type == "PodScheduled").Reason));
        var queue = h.Server.Get<Queue>("team-a")!;
        Assert.Contains(queue.Status.Usage!.Single().Resources!, r => r.Name == "gpu" && r.Total == "8"); // charged for the 4 admitted, not all 8

        // The what-if reader sees it as it runs: 4 pods, not the 8 it asked for.
        var read = Berth.Kubernetes.Controller.DecisionPlanner.Read(h.Controller.Cache.Snapshot(), new Berth.Kubernetes.Controller.ControllerOptions());
        var running = Assert.Single(read.Workloads, w => w.Running);
        Assert.Equal(4, Berth.Runtime.Cycle.RunningShape.AsAdmitted(running).PodSets.Sum(p => p.Count));
    }
}
