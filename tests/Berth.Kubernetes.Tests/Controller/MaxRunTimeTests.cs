using Berth.Kubernetes.Api;
using Berth.Runtime.Lifecycle;
using Berth.TestKit;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>
/// A PodGroup's <c>spec.maxRunTime</c> on the cluster, on the controller's injected clock: past it, the group's pods are
/// evicted with the reason, the group fails with a condition saying so, and it is not admitted again.
/// </summary>
public sealed class MaxRunTimeTests
{
    [Fact]
    public async Task PodGroup_PastItsMaxRunTime_IsEvictedFailedAndNotAdmittedAgain()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        Seed(h, "train", "1h");
        Assert.Single((await h.CycleAsync()).Bindings);

        // Just short of its max run time it keeps running.
        time.Advance(TimeSpan.FromMinutes(59).TotalSeconds);
        var before = await h.CycleAsync();
        Assert.Empty(before.Evictions);
        Assert.NotEqual(PodGroupPhases.Failed, h.Server.Get<PodGroup>("train", Objects.Ns)!.Status?.Phase);

        time.Advance(TimeSpan.FromMinutes(1).TotalSeconds);
        var plan = await h.CycleAsync();
        await h.SettleAsync();

        var eviction = Assert.Single(plan.Evictions);
        Assert.Equal(("train-0", WorkloadLifecycle.MaxRunTimeExceededReason), (eviction.Pod, eviction.Reason));
        var group = h.Server.Get<PodGroup>("train", Objects.Ns)!;
        Assert.Equal(PodGroupPhases.Failed, group.Status.Phase);
        Assert.True(group.Metadata.Annotations.ContainsKey(KubernetesNames.MaxRunTimeExceededAnnotation));
        var condition = Assert.Single(group.Status.Conditions!, c => c.Type == ConditionTypes.Admitted);
        Assert.Equal(("False", WorkloadLifecycle.MaxRunTimeExceededReason), (condition.Status, condition.Reason));
        Assert.Single(h.Server.List<Corev1Event>(Objects.Ns), e => e.Reason == WorkloadLifecycle.MaxRunTimeExceededReason && e.InvolvedObject.Name == "train" && e.Type == "Warning");
        Assert.Equal(1, h.Metrics.Value("berth_evictions_total", ("reason", WorkloadLifecycle.MaxRunTimeExceededReason)));

        // Its pod comes back (as an operator recreates it) and the node is free: it is not bound again.
        if (h.ReadPodOrNull("train-0") is null)
        {
            h.Server.Seed(Objects.Pod("train-0", gpus: 8, group: "train"));
        }

        time.Advance(60);
        var after = await h.CycleAsync();
        await h.SettleAsync();
        Assert.Empty(after.Bindings);
        var stopped = h.Server.Get<PodGroup>("train", Objects.Ns)!.Status;
        Assert.Equal((PodGroupPhases.Failed, WorkloadLifecycle.MaxRunTimeExceededReason), (stopped.Phase, stopped.PendingReason?.Code));
        Assert.Contains(KubernetesNames.MaxRunTimeExceededAnnotation, stopped.PendingReason!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodGroup_WithoutMaxRunTime_RunsOn()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"));
        Seed(h, "train", null);
        Assert.Single((await h.CycleAsync()).Bindings);

        time.Advance(TimeSpan.FromDays(30).TotalSeconds);
        var plan = await h.CycleAsync();

        Assert.Empty(plan.Evictions);
        Assert.NotEqual(PodGroupPhases.Failed, h.Server.Get<PodGroup>("train", Objects.Ns)!.Status?.Phase);
    }

    private static void Seed(ControllerHarness h, string name, string? maxRunTime)
    {
        var group = Objects.Group(name, 1, "team-a");
        h.Server.Seed(group with { Spec = group.Spec with { MaxRunTime = maxRunTime } });
        h.Server.Seed(Objects.Pod($"{name}-0", gpus: 8, group: name));
    }
}
