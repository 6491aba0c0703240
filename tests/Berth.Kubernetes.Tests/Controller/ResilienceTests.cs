using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

public sealed class ResilienceTests
{
    [Fact]
    public async Task Restart_HalfOfAGangBound_NewControllerBindsTheRestToTheirPlannedPlacesAndNothingTwice()
    {
        var server = await Berth.TestKit.Kubernetes.Fake.FakeApiServer.StartAsync(new Berth.TestKit.Kubernetes.Fake.FakeApiServerOptions { CustomResources = Berth.TestKit.Kubernetes.Fake.FakeApiServerOptions.BerthResources });
        var first = await ControllerHarness.StartAsync(server: server);
        first.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        server.Seed(Objects.Group("train", 8, "team-a"));
        for (var i = 0; i < 8; i++)
        {
            server.Seed(Objects.Pod($"train-{i}", gpus: 2, group: "train"));
        }

        // The first replica admits the gang, but 4 of its 8 bindings fail before it dies.
        server.FailNext("create", "pods/binding", 500, times: 4);
        await first.CycleAsync();
        await first.SettleAsync();
        Assert.Equal(4, server.Bindings.Count);
        var record = AdmissionRecord.Parse(server.Get<PodGroup>("train", Objects.Ns)!.Metadata.Annotations);
        Assert.NotNull(record);
        await DisposeCacheOnlyAsync(first);

        // A new replica rebuilds everything from the API server.
        await using var second = await ControllerHarness.StartAsync(server: server);
        var plan = await second.CycleAsync();

        Assert.Equal(4, plan.Bindings.Count);
        Assert.Equal(8, server.Bindings.Count);
        Assert.Equal(8, server.Bindings.Select(b => b.Pod).Distinct().Count());
        var planned = record.Pods.Select(p => (p.Node, string.Join(',', p.Gpus))).OrderBy(p => p).ToArray();
        var actual = Enumerable.Range(0, 8).Select(i => second.ReadPod($"train-{i}")).Select(p => (p.Spec.NodeName, p.Metadata.Annotations[KubernetesNames.GpuIndicesAnnotation])).OrderBy(p => p).ToArray();
        Assert.Equal(planned, actual);
        Assert.Empty((await second.CycleAsync()).Bindings);
    }

    [Fact]
    public async Task Restart_EverythingRunning_FirstDecisionWritesNoBindingOrAdmission()
    {
        var server = await Berth.TestKit.Kubernetes.Fake.FakeApiServer.StartAsync(new Berth.TestKit.Kubernetes.Fake.FakeApiServerOptions { CustomResources = Berth.TestKit.Kubernetes.Fake.FakeApiServerOptions.BerthResources });
        var first = await ControllerHarness.StartAsync(server: server);
        first.SeedCluster(4, 8, Objects.Queue("team-a", "a100", "32"));
        for (var g = 0; g < 3; g++)
        {
            server.Seed(Objects.Group($"g{g}", 4, "team-a"));
            for (var i = 0; i < 4; i++)
            {
                server.Seed(Objects.Pod($"g{g}-{i}", gpus: 2, group: $"g{g}"));
            }
        }

        server.Seed(Objects.Job("j", 1, 8, "team-a"));
        await first.RunUntilQuietAsync();
        await first.ActAsJobControllerAsync();
        var bindings = server.Bindings.Count;
        await DisposeCacheOnlyAsync(first);

        await using var second = await ControllerHarness.StartAsync(server: server);
        var plan = await second.CycleAsync();

        Assert.Equal(12, bindings);
        Assert.Empty(plan.Bindings);
        Assert.Empty(plan.JobAdmissions);
        Assert.Empty(plan.Suspensions);
        Assert.Empty(plan.Evictions);
        Assert.Equal(4, plan.Admitted["team-a"]);
    }

    [Fact]
    public async Task WatchCutAndHistoryCompacted_PodsCreatedMeanwhile_AreAllSeenAndBound()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(4, 8, Objects.Queue("team-a", "a100", "32"));
        await h.CycleAsync();
        var listsBefore = h.Controller.Cache.Lists;

        h.Server.CutWatches();
        for (var i = 0; i < 10; i++)
        {
            await h.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"p{i}", gpus: 1, queue: "team-a"), Objects.Ns);
        }

        h.Server.CompactHistory();
        h.Server.CutWatches();
        for (var i = 10; i < 20; i++)
        {
            await h.Client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"p{i}", gpus: 1, queue: "team-a"), Objects.Ns);
        }

        await h.RunUntilQuietAsync();

        Assert.Equal(20, h.Server.Bindings.Select(b => b.Pod).Distinct().Count());
        Assert.Equal(20, h.Server.Bindings.Count);
        Assert.True(h.Controller.Cache.Lists > listsBefore, "a watch from a compacted resource version must end in a new list (410 Gone)");
    }

    [Fact]
    public async Task ConflictingJobUpdate_IsRetriedAndTheJobAdmitted()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(Objects.Job("j", 1, 8, "team-a"));
        h.Server.FailNext("update", "jobs", 409, times: 2);

        await h.CycleAsync();
        await h.SettleAsync();

        Assert.False(h.ReadJob("j").Spec.Suspend);
        Assert.Equal(2, h.Controller.Writer.ConflictsRetried);
        Assert.Equal(3, h.Server.RequestCount("update", "jobs"));
    }

    [Fact]
    public async Task InvalidQueues_GetReadyFalseWithTheReason_AndTheValidQueueKeepsWorking()
    {
        await using var h = await ControllerHarness.StartAsync();
        var negative = Objects.Queue("negative", "a100", "-4");
        var orphan = Objects.Queue("orphan", "a100", "4", cohort: "no-such-cohort");
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"), negative, orphan);
        h.Server.Seed(Objects.Pod("p", gpus: 2, queue: "team-a"));
        h.Server.Seed(Objects.Pod("q", gpus: 2, queue: "orphan"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        var bad = h.Server.Get<Queue>("negative")!.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("False", ConditionReasons.InvalidSpec), (bad.Status, bad.Reason));
        Assert.Contains("nominalQuota", bad.Message, StringComparison.Ordinal);
        var unknown = h.Server.Get<Queue>("orphan")!.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(("False", ConditionReasons.UnknownCohort), (unknown.Status, unknown.Reason));
        Assert.Equal("True", h.Server.Get<Queue>("team-a")!.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Status);
        Assert.Equal("p", Assert.Single(plan.Bindings).Pod);
        Assert.Null(h.ReadPod("q").Spec.NodeName);

        // Nothing changes on the next decision: no status is written again.
        var again = await h.CycleAsync();
        Assert.DoesNotContain(again.ObjectStatuses, s => s.Plural == Queue.KubePluralName);
    }

    [Fact]
    public async Task NodeGpusMarkedUnhealthy_GangRunningThereIsEvictedAndNothingNewGoesThere()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(Objects.Group("train", 2, "team-a"));
        h.Server.Seed(Objects.Pod("train-0", gpus: 8, group: "train"));
        h.Server.Seed(Objects.Pod("train-1", gpus: 8, group: "train"));
        await h.CycleAsync();
        await h.SettleAsync();

        var node = h.Server.Get<V1Node>("node-00")!;
        node.Spec.Taints = [new V1Taint { Key = "nvidia.com/gpu", Value = "unhealthy", Effect = "NoSchedule" }];
        await h.Client.CoreV1.ReplaceNodeAsync(node, "node-00");
        var plan = await h.CycleAsync();

        Assert.Equal(2, plan.Evictions.Count);
        Assert.All(plan.Evictions, e => Assert.Equal("NodeUnhealthy", e.Reason));
        Assert.Equal(8, plan.UnhealthyGpus);
        await h.SettleAsync();
        Assert.Null(h.ReadPodOrNull("train-0"));
        Assert.Equal(PodGroupPhases.Pending, h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.Phase);

        // Recreated pods (as a training operator would) wait: one healthy node cannot hold the gang.
        h.Server.Seed(Objects.Pod("train-0", gpus: 8, group: "train"));
        h.Server.Seed(Objects.Pod("train-1", gpus: 8, group: "train"));
        var next = await h.CycleAsync();
        Assert.Empty(next.Bindings);
    }

    [Fact]
    public async Task MetricsEndpoint_AfterADecision_ReportsPendingQuotaAndBindings()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.Server.Seed(Objects.Pod("fits", gpus: 8, queue: "team-a"));
        h.Server.Seed(Objects.Pod("waits", gpus: 8, queue: "team-a"));
        await h.CycleAsync();

        var text = h.Metrics.Render();

        Assert.Contains("berth_pods_bound_total 1", text, StringComparison.Ordinal);
        Assert.Contains("berth_pending_workloads{queue=\"team-a\",reason=\"QuotaExceeded\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("berth_quota_usage{flavor=\"a100\",queue=\"team-a\",resource=\"gpu\"} 8", text, StringComparison.Ordinal);
        Assert.Contains("berth_gpu_allocation_ratio 1", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE berth_decision_latency_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("berth_decision_latency_seconds_count 1", text, StringComparison.Ordinal);
    }

    private static async Task DisposeCacheOnlyAsync(ControllerHarness harness) => await harness.StopAsync();
}
