using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

public sealed class PreemptionTests
{
    private const string Hold = "test.berth.dev/hold";

    [Fact]
    public async Task HigherPriorityGang_EvictsTheLowerOne_AndIsBoundOnlyOnceItsPodsAreGone()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8", reclaim: "Never"));
        await RunLowGangAsync(h);

        var high = Objects.Group("high", 1, "team-a");
        high.Spec = high.Spec with { PriorityClassName = "high" }; // a raw spec.priority could no longer raise it
        h.Server.Seed(Objects.PriorityClass("high", 100));
        h.Server.Seed(high);
        h.Server.Seed(Objects.Pod("high-0", gpus: 8, group: "high"));
        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal(["low-0", "low-1"], plan.Evictions.Select(e => e.Pod).Order());
        Assert.Equal(2, h.Server.RequestCount("create", "pods/eviction"));
        Assert.Empty(plan.Bindings); // the victims still terminate on the node
        Assert.Contains(plan.Events, e => e.About.Name == "low" && e.Type == "Warning" && e.Message.Contains("podgroup/default/high", StringComparison.Ordinal));
        var waiting = h.ReadPod("high-0").Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal(DecisionPlanner.WaitingForNodesReason, waiting.Reason);
        Assert.NotNull(AdmissionRecord.Parse(h.Server.Get<PodGroup>("high", Objects.Ns)!.Metadata.Annotations));
        Assert.Equal(PodGroupPhases.Pending, h.Server.Get<PodGroup>("low", Objects.Ns)!.Status.Phase);

        // Still terminating: nothing is bound beside them.
        Assert.Empty((await h.CycleAsync()).Bindings);

        await ReleaseAsync(h, "low-0");
        await ReleaseAsync(h, "low-1");
        var after = await h.CycleAsync();

        Assert.Equal("high-0", Assert.Single(after.Bindings).Pod);
        Assert.Equal("node-00", h.ReadPod("high-0").Spec.NodeName);
    }

    [Fact]
    public async Task EvictionRefusedByADisruptionBudget_PreemptorWaits_AndTheEvictionIsRetriedUntilAllowed()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8", reclaim: "Never"));
        await RunLowGangAsync(h, finalizer: false);
        var budget = new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = new V1ObjectMeta { Name = "low", NamespaceProperty = Objects.Ns },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 2, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [KubernetesNames.PodGroupLabel] = "low" } } },
        };
        await h.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(budget, Objects.Ns);

        var high = Objects.Group("high", 1, "team-a");
        high.Spec = high.Spec with { PriorityClassName = "high" }; // a raw spec.priority could no longer raise it
        h.Server.Seed(Objects.PriorityClass("high", 100));
        h.Server.Seed(high);
        h.Server.Seed(Objects.Pod("high-0", gpus: 8, group: "high"));
        await h.CycleAsync();
        var retry = await h.CycleAsync();

        Assert.NotNull(h.ReadPodOrNull("low-0"));
        Assert.NotNull(h.ReadPodOrNull("low-1"));
        Assert.Equal(2, retry.Evictions.Count);
        Assert.All(retry.Evictions, e => Assert.Equal(DecisionPlanner.EvictingReason, e.Reason));
        Assert.Empty(retry.Bindings);
        Assert.Null(h.ReadPod("high-0").Spec.NodeName);

        await h.Client.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync("low", Objects.Ns);
        await h.CycleAsync();
        var bound = await h.CycleAsync();

        Assert.Null(h.ReadPodOrNull("low-0"));
        Assert.Equal("high-0", Assert.Single(bound.Bindings).Pod);
    }

    private static async Task RunLowGangAsync(ControllerHarness h, bool finalizer = true)
    {
        h.Server.Seed(Objects.Group("low", 2, "team-a"));
        for (var i = 0; i < 2; i++)
        {
            var pod = Objects.Pod($"low-{i}", gpus: 4, group: "low");
            if (finalizer)
            {
                pod.Metadata.Finalizers = [Hold]; // stands in for a grace period: the pod lingers after its eviction
            }

            h.Server.Seed(pod);
        }

        Assert.Equal(2, (await h.CycleAsync()).Bindings.Count);
    }

    private static async Task ReleaseAsync(ControllerHarness h, string pod)
    {
        var current = h.ReadPod(pod);
        Assert.NotNull(current.Metadata.DeletionTimestamp);
        current.Metadata.Finalizers = [];
        await h.Client.CoreV1.ReplaceNamespacedPodAsync(current, pod, Objects.Ns);
    }
}

public sealed class DisruptionBudgetTests
{
    [Fact]
    public async Task DisruptionBudget_SpentByOneReclaim_HoldsForLaterDecisionsAndANewController()
    {
        var server = await Fake.FakeApiServer.StartAsync(new Fake.FakeApiServerOptions { CustomResources = Fake.FakeApiServerOptions.BerthResources });
        var first = await ControllerHarness.StartAsync(server: server);
        server.Seed(Objects.Cohort("research"));
        var borrower = Objects.Queue("team-b", "a100", "8", cohort: "research", borrowingLimit: "16");
        borrower.Spec = borrower.Spec with { DisruptionBudget = 1, DisruptionWindow = "1h" };
        first.SeedCluster(3, 8, Objects.Queue("team-a", "a100", "16", cohort: "research", reclaim: "Any"), borrower);
        for (var i = 0; i < 3; i++)
        {
            server.Seed(Objects.Job($"b{i}", 1, 8, "team-b", ns: "beta"));
        }

        await first.RunUntilQuietAsync();
        await first.ActAsJobControllerAsync();
        Assert.All(Enumerable.Range(0, 3), i => Assert.False(first.ReadJob($"b{i}", "beta").Spec.Suspend));

        await first.Client.BatchV1.CreateNamespacedJobAsync(Objects.Job("a1", 1, 8, "team-a", ns: "alpha"), "alpha");
        var reclaim = await first.CycleAsync();
        Assert.Single(reclaim.Suspensions);
        await first.ActAsJobControllerAsync();
        await first.RunUntilQuietAsync();
        await first.SettleAsync();
        Assert.Single(server.Get<Berth.Kubernetes.Api.Queue>("team-b")!.Status.RecentDisruptions!);

        // team-a wants its other 8 GPUs back, but team-b's budget (1 per hour) is spent: nothing more is evicted.
        await first.Client.BatchV1.CreateNamespacedJobAsync(Objects.Job("a2", 1, 8, "team-a", ns: "alpha"), "alpha");
        Assert.Empty((await first.CycleAsync()).Suspensions);
        await first.StopAsync();

        await using var second = await ControllerHarness.StartAsync(server: server);
        var plan = await second.CycleAsync();

        Assert.Empty(plan.Suspensions);
        Assert.True(second.ReadJob("a2", "alpha").Spec.Suspend);
        Assert.Equal(2, Enumerable.Range(0, 3).Count(i => second.ReadJob($"b{i}", "beta").Spec.Suspend == false));
    }
}
