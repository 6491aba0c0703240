using Berth.Kubernetes.Controller;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>A spot node the cloud reclaims (an interruption handler's taint): its pods are asked to checkpoint, then requeued.</summary>
public sealed class SpotReclaimTests
{
    [Fact]
    public async Task NodeTaintedForSpotInterruption_PodsAnnotatedToCheckpointThenEvictedAsSpotReclaimed()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        h.Server.Seed(Objects.Group("train", 2, "team-a"));
        h.Server.Seed(Objects.Pod("train-0", gpus: 8, group: "train"));
        h.Server.Seed(Objects.Pod("train-1", gpus: 8, group: "train"));
        await h.CycleAsync();
        await h.SettleAsync();
        var before = h.Server.Requested().Count;

        var node = h.Server.Get<V1Node>("node-00")!;
        node.Spec.Taints = [new V1Taint { Key = "aws-node-termination-handler/spot-itn", Value = "event-1", Effect = "NoSchedule" }];
        await h.Client.CoreV1.ReplaceNodeAsync(node, "node-00");
        var plan = await h.CycleAsync();

        Assert.Equal(["train-0", "train-1"], plan.Checkpoints.Select(c => c.Pod).Order(StringComparer.Ordinal));
        Assert.Equal(2, plan.Evictions.Count);
        Assert.All(plan.Evictions, e => Assert.Equal("SpotReclaimed", e.Reason));
        Assert.Equal(2, plan.Events.Count(e => e.Reason == "CheckpointRequested" && e.About.Kind == "Pod" && e.Message.Contains("aws-node-termination-handler/spot-itn=event-1", StringComparison.Ordinal)));

        // The pods learn it first: their annotation is written before any eviction.
        var requests = h.Server.Requested().Skip(before).ToList();
        var firstPatch = requests.FindIndex(r => r.Verb == "patch" && r.Resource == "pods");
        var firstEviction = requests.FindIndex(r => r.Resource.Contains("eviction", StringComparison.Ordinal));
        Assert.True(firstPatch >= 0 && firstEviction > firstPatch, string.Join(", ", requests));
    }

    [Fact]
    public async Task NodeTaintedForSpotInterruption_NewPodsGoElsewhere()
    {
        await using var h = await ControllerHarness.StartAsync();
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "16"));
        var node = h.Server.Get<V1Node>("node-00")!;
        node.Spec.Taints = [new V1Taint { Key = "cloud.google.com/impending-node-termination", Effect = "NoSchedule" }];
        await h.Client.CoreV1.ReplaceNodeAsync(node, "node-00");
        h.Server.Seed(Objects.Pod("p", gpus: 4, queue: "team-a"));

        var plan = await h.CycleAsync();

        Assert.Equal("node-01", Assert.Single(plan.Bindings).Node);
        Assert.Empty(plan.Checkpoints);
    }
}
