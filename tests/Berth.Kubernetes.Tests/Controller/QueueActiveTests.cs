using Berth.Kubernetes.Api;
using Berth.Kubernetes.Controller;
using Berth.TestKit;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>A Queue's documented <c>Active</c> condition: True while it admits, False with the reason while its stop policy holds it or it is not valid.</summary>
public sealed class QueueActiveTests
{
    [Fact]
    public async Task Queue_ActiveFollowsItsStopPolicyAndValidity()
    {
        var time = new ManualTime();
        await using var h = await ControllerHarness.StartAsync(time: time);
        var held = Objects.Queue("team-h", "a100", "8");
        var broken = Objects.Queue("team-x", "no-such-flavor", "8");
        h.SeedCluster(1, 8, Objects.Queue("team-a", "a100", "8"), held with { Spec = held.Spec with { StopPolicy = "Hold" } }, broken);

        await h.CycleAsync();
        await h.SettleAsync();

        Assert.Equal(("True", DecisionPlanner.QueueActiveReason), Active(h, "team-a"));
        Assert.Equal(("False", DecisionPlanner.QueueStoppedReason), Active(h, "team-h"));
        Assert.Equal(("False", DecisionPlanner.QueueNotReadyReason), Active(h, "team-x"));

        // Nothing changed: the condition is not written again.
        time.Advance(10);
        var again = await h.CycleAsync();
        Assert.DoesNotContain(again.ObjectStatuses, s => s.Plural == Queue.KubePluralName);
    }

    private static (string Status, string Reason) Active(ControllerHarness h, string queue)
    {
        var condition = h.Server.Get<Queue>(queue)!.Status.Conditions!.Single(c => c.Type == ConditionTypes.Active);
        return (condition.Status, condition.Reason);
    }
}
