using Berth.Kubernetes.Tests.Controller;

namespace Berth.Kubernetes.Tests.Security;

/// <summary>Issue 12, finding 4: a tenant's raw <c>PodGroup.spec.priority</c> cannot jump their queue; a PriorityClass can.</summary>
public sealed class PriorityJumpTests
{
    private static async Task<ControllerHarness> RunningLowGangAsync()
    {
        var h = await ControllerHarness.StartAsync();
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8", reclaim: "Never")); // preemption within the queue: LowerPriority
        h.SeedGroup("low", 2, 2, 4);
        Assert.Equal(2, (await h.CycleAsync()).Bindings.Count);
        return h;
    }

    [Fact]
    public async Task GroupWithARawPriority_DoesNotPreemptAnEqualClassGroup()
    {
        await using var h = await RunningLowGangAsync();
        var jumper = Objects.Group("jumper", 1, "team-a");
        jumper.Spec = jumper.Spec with { Priority = 1_000_000 };
        h.Server.Seed(jumper);
        h.Server.Seed(Objects.Pod("jumper-0", gpus: 8, group: "jumper"));

        var plan = await h.CycleAsync();

        Assert.Empty(plan.Evictions);
        Assert.Null(h.ReadPod("jumper-0").Spec.NodeName);
        Assert.NotNull(h.ReadPod("low-0").Spec.NodeName);
    }

    [Fact]
    public async Task GroupWithAHigherPriorityClass_DoesPreempt()
    {
        // The control: the same group with a PriorityClass above the running gang's evicts it.
        await using var h = await RunningLowGangAsync();
        h.Server.Seed(Objects.PriorityClass("urgent", 1000));
        var urgent = Objects.Group("urgent", 1, "team-a");
        urgent.Spec = urgent.Spec with { PriorityClassName = "urgent" };
        h.Server.Seed(urgent);
        h.Server.Seed(Objects.Pod("urgent-0", gpus: 8, group: "urgent"));

        var plan = await h.CycleAsync();

        Assert.Equal(["low-0", "low-1"], plan.Evictions.Select(e => e.Pod).Order());
    }
}
