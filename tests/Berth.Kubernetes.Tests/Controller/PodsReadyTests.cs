using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.TestKit;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

public sealed class PodsReadyTests
{
    private static readonly ControllerOptions Options = new() { PodsReadyTimeout = TimeSpan.FromMilliseconds(300), BackoffBase = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task GangNotReadyInTime_IsEvictedAndRequeuedWithBackoff_ThenAdmittedAgain()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(Options, time: time);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        SeedGang(h);
        Assert.Equal(2, (await h.CycleAsync()).Bindings.Count);

        time.Advance(0.4); // the pods never report Ready
        var requeue = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal(2, requeue.Evictions.Count);
        Assert.All(requeue.Evictions, e => Assert.Equal(DecisionPlanner.GangNotReadyReason, e.Reason));
        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.Equal("1", group.Metadata.Annotations[KubernetesNames.RequeuesAnnotation]);
        Assert.True(group.Metadata.Annotations.ContainsKey(KubernetesNames.BackoffUntilAnnotation));

        // Its pods come back (as a training operator recreates them): it waits out the backoff first.
        SeedGang(h);
        var during = await h.CycleAsync();
        await h.SettleAsync();
        Assert.Empty(during.Bindings);
        Assert.Equal("Backoff", h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.PendingReason?.Code);

        time.Advance(2.1);
        Assert.Equal(2, (await h.CycleAsync()).Bindings.Count);

        // This time its pods become ready: the timeout no longer applies.
        foreach (var name in new[] { "train-0", "train-1" })
        {
            var pod = h.ReadPod(name);
            pod.Status.Conditions = [.. pod.Status.Conditions ?? [], new V1PodCondition { Type = "Ready", Status = "True" }];
            await h.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, name, Objects.Ns);
        }

        await h.CycleAsync();
        time.Advance(0.4);
        var later = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(later.Evictions);
        var ready = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.True(ready.Metadata.Annotations.ContainsKey(KubernetesNames.PodsReadyAnnotation));
        Assert.False(ready.Metadata.Annotations.ContainsKey(KubernetesNames.RequeuesAnnotation));
    }

    [Fact]
    public async Task GangRequeuedPastTheLimit_FailsVisiblyAndIsNotAdmittedAgain()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(Options, time: time);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        var group = Objects.Group("train", 2, "team-a");
        group.Metadata.Annotations = new Dictionary<string, string> { [KubernetesNames.RequeuesAnnotation] = "4" };
        h.Server.Seed(group);
        h.Server.Seed(Objects.Pod("train-0", gpus: 4, group: "train"));
        h.Server.Seed(Objects.Pod("train-1", gpus: 4, group: "train"));

        var plan = await h.CycleAsync();
        await h.SettleAsync();

        Assert.Empty(plan.Bindings);
        var failed = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.Equal(PodGroupPhases.Failed, failed.Status.Phase);
        Assert.Equal(DecisionPlanner.GangNotReadyReason, failed.Status.PendingReason?.Code);
        Assert.Contains(KubernetesNames.RequeuesAnnotation, failed.Status.PendingReason!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutATimeout_PodsThatNeverBecomeReadyStay()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        SeedGang(h);
        await h.CycleAsync();
        time.Advance(3600); // an hour later: without a timeout nothing is ever requeued for readiness

        Assert.Empty((await h.CycleAsync()).Evictions);
    }

    private static void SeedGang(ControllerHarness h)
    {
        if (h.Server.Get<PodGroup>("train", Objects.Ns) is null)
        {
            h.Server.Seed(Objects.Group("train", 2, "team-a"));
        }

        h.Server.Seed(Objects.Pod("train-0", gpus: 4, group: "train"));
        h.Server.Seed(Objects.Pod("train-1", gpus: 4, group: "train"));
    }
}
