using Berth.Kubernetes.Api;
using Berth.Runtime.Lifecycle;
using Berth.TestKit;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>The PodGroup conditions the docs promise: <c>Ready</c> (spec valid), <c>Admitted</c>, <c>PodsReady</c>, <c>Evicted</c>.</summary>
public sealed class PodGroupConditionTests
{
    [Fact]
    public async Task PodGroup_ConditionsFollowItsLife()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        var group = Objects.Group("train", 1, "team-a");
        h.Server.Seed(group with { Spec = group.Spec with { MaxRunTime = "1h" } });
        h.Server.Seed(Objects.Pod("train-0", gpus: 8, group: "train"));
        await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal(("True", "False", "False"), (Status(h, ConditionTypes.Ready), Status(h, ConditionTypes.PodsReady), Status(h, ConditionTypes.Evicted)));

        // Its pod becomes ready: PodsReady flips.
        var pod = h.ReadPod("train-0");
        pod.Status.Conditions = [.. pod.Status.Conditions ?? [], new V1PodCondition { Type = "Ready", Status = "True" }];
        await h.Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, "train-0", Objects.Ns);
        time.Advance(10);
        await h.CycleAsync();
        await h.SettleAsync();
        Assert.Equal("True", Status(h, ConditionTypes.PodsReady));

        // Past its max run time it is evicted: Evicted says why, and stays so while it waits.
        time.Advance(3600);
        await h.CycleAsync();
        await h.SettleAsync();
        var evicted = Condition(h, ConditionTypes.Evicted);
        Assert.Equal(("True", WorkloadLifecycle.MaxRunTimeExceededReason), (evicted.Status, evicted.Reason));
        Assert.Equal("False", Status(h, ConditionTypes.PodsReady));
        time.Advance(10);
        await h.CycleAsync();
        await h.SettleAsync();
        Assert.Equal("True", Status(h, ConditionTypes.Evicted));
    }

    [Fact]
    public async Task PodGroup_WithABadSpec_IsNotReady()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        var group = Objects.Group("train", 1, "team-a");
        h.Server.Seed(group with { Spec = group.Spec with { MaxRunTime = "soon" } });
        h.Server.Seed(Objects.Pod("train-0", gpus: 8, group: "train"));

        await h.CycleAsync();
        await h.SettleAsync();

        var ready = Condition(h, ConditionTypes.Ready);
        Assert.Equal(("False", ConditionReasons.InvalidSpec), (ready.Status, ready.Reason));
        Assert.Contains("spec.maxRunTime", ready.Message, StringComparison.Ordinal);
    }

    private static V1Condition Condition(ControllerHarness h, string type) =>
        h.Server.Get<PodGroup>("train", Objects.Ns)!.Status.Conditions!.Single(c => c.Type == type);

    private static string Status(ControllerHarness h, string type) => Condition(h, type).Status;
}
