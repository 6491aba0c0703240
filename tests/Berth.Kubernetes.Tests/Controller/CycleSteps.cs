using Berth.TestKit;

namespace Berth.Kubernetes.Tests.Controller;

/// <summary>Steps of manual time shared by the tests that wait on admission checks: one decision at a time, its writes settled.</summary>
internal static class CycleSteps
{
    /// <summary>Ten seconds on, one decision, and its writes settled.</summary>
    public static async Task NextCycleAsync(this ControllerHarness h, ManualTime time)
    {
        time.Advance(10);
        await h.CycleAsync();
        await h.SettleAsync();
    }

    /// <summary>Steps ten seconds at a time (six decisions at most) until <paramref name="pods"/> pods are bound; the nodes they were bound to.</summary>
    public static async Task<List<string>> CycleUntilBoundAsync(this ControllerHarness h, ManualTime time, int pods)
    {
        var nodes = new List<string>();
        for (var i = 0; i < 6 && nodes.Count < pods; i++)
        {
            time.Advance(10);
            var plan = await h.CycleAsync();
            await h.SettleAsync();
            nodes.AddRange(plan.Bindings.Select(b => b.Node));
        }

        return nodes;
    }
}
