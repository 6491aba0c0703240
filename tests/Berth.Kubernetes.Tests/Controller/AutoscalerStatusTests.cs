using Berth.Kubernetes.Controller;
using Berth.TestKit;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// Without a provisioning check, the cluster autoscaler learns of pods that need nodes the way it does from
/// kube-scheduler: <c>PodScheduled=False</c> with reason <c>Unschedulable</c>. Pods that wait for quota keep Berth's
/// code, so the autoscaler adds no nodes that quota would not let them use.
/// </summary>
public sealed class AutoscalerStatusTests
{
    [Fact]
    public async Task GangThatFitsNoNodeNow_IsUnschedulable_WhileOneBlockedByQuotaIsNot()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "32"), Objects.Queue("team-b", "a100", "8"));
        h.SeedGroup("first", 1, 1, 8, queue: "team-b");
        Assert.Single((await h.CycleAsync()).Bindings);

        // One node is left: the two-node gang fits no node now; the second team-b group would fit, but not in its quota.
        time.Advance(10);
        h.SeedGroup("wide", 2, 2, 8);
        h.SeedGroup("small", 1, 1, 8, queue: "team-b");
        await h.CycleAsync();
        await h.SettleAsync();

        var code = h.Server.Get<Berth.Kubernetes.Api.PodGroup>("wide", Objects.Ns)!.Status.PendingReason!.Code;
        foreach (var pod in new[] { "wide-0", "wide-1" })
        {
            var condition = h.ReadPod(pod).Status.Conditions.Single(c => c.Type == "PodScheduled");
            Assert.Equal(("False", DecisionPlanner.UnschedulableReason), (condition.Status, condition.Reason));
            Assert.StartsWith(code + ":", condition.Message, StringComparison.Ordinal);
        }

        var quota = h.ReadPod("small-0").Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal(("False", "QuotaExceeded"), (quota.Status, quota.Reason));
    }

    [Fact]
    public async Task LonePodThatFitsNoNodeNow_IsUnschedulable()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "32"));
        h.SeedGroup("first", 1, 1, 8);
        Assert.Single((await h.CycleAsync()).Bindings);

        time.Advance(10);
        h.Server.Seed(Objects.Pod("solo", gpus: 4, queue: "team-a"));
        await h.CycleAsync();
        await h.SettleAsync();

        var condition = h.ReadPod("solo").Status.Conditions.Single(c => c.Type == "PodScheduled");
        Assert.Equal(("False", DecisionPlanner.UnschedulableReason), (condition.Status, condition.Reason));
        Assert.StartsWith("NoNodeFits:", condition.Message, StringComparison.Ordinal);
    }
}
