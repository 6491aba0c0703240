using Berth.Kubernetes.Controller;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// A node condition announcing termination (as Node Problem Detector plugins report one) is a termination notice like
/// the interruption handlers' taints: the node's pods are asked to checkpoint, then requeued as SpotReclaimed.
/// </summary>
public sealed class TerminationConditionTests
{
    [Fact]
    public async Task DefaultConditionTrue_PodsAskedToCheckpointThenEvictedAsSpotReclaimed()
    {
        await using var h = await StartWithGangAsync(new ControllerOptions());

        await SetConditionAsync(h, "SpotInterruption", "True", "InstanceInterrupted");
        var plan = await h.CycleAsync();

        Assert.Equal(["train-0"], plan.Checkpoints.Select(c => c.Pod));
        Assert.Equal("SpotReclaimed", Assert.Single(plan.Evictions).Reason);
        Assert.Contains(plan.Events, e => e.Reason == "CheckpointRequested" && e.Message.Contains("condition SpotInterruption (InstanceInterrupted)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConditionFalse_OrOfATypeNotConfigured_IsNoNotice()
    {
        await using var h = await StartWithGangAsync(new ControllerOptions());

        await SetConditionAsync(h, "SpotInterruption", "False", "NoInterruption");
        Assert.Empty((await h.CycleAsync()).Evictions);
        await SetConditionAsync(h, "VMEventScheduled", "True", "VMEventScheduled");
        var plan = await h.CycleAsync();

        Assert.Empty(plan.Checkpoints);
        Assert.Empty(plan.Evictions);
    }

    [Fact]
    public async Task ConfiguredType_IsANotice()
    {
        await using var h = await StartWithGangAsync(new ControllerOptions { TerminationConditions = ["VMEventScheduled"] });

        await SetConditionAsync(h, "VMEventScheduled", "True", "VMEventScheduled");
        var plan = await h.CycleAsync();

        Assert.Equal("SpotReclaimed", Assert.Single(plan.Evictions).Reason);
    }

    private static async Task<ControllerHarness> StartWithGangAsync(ControllerOptions options)
    {
        var h = await ControllerHarness.StartAsync(options);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        h.SeedGroup("train", 1, 1, 8);
        Assert.Single((await h.CycleAsync()).Bindings);
        await h.SettleAsync();
        return h;
    }

    /// <summary>Plays Node Problem Detector: sets one condition beside Ready through the node's status.</summary>
    private static async Task SetConditionAsync(ControllerHarness h, string type, string status, string reason)
    {
        var node = h.Server.Get<V1Node>("node-00")!;
        node.Status.Conditions = node.Status.Conditions.Where(c => c.Type == "Ready").Append(new V1NodeCondition { Type = type, Status = status, Reason = reason, Message = "the cloud takes this node back" }).ToList();
        await h.Client.CoreV1.ReplaceNodeStatusAsync(node, "node-00");
        await h.SettleAsync();
    }
}
