using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Tests.Controller;
using Berth.Kubernetes.Views;

namespace Berth.Kubernetes.Tests.Views;

/// <summary>
/// The visibility API's list of a queue's waiting workloads after a real decision on the fake API server: positions
/// are the controller's (the same as it writes on each Job), the cohort interleaves its queues, a tenant sees only
/// their namespaces' workloads (with positions counted over everyone), and paging skips and takes in that order.
/// </summary>
public sealed class PendingWorkloadsTests
{
    /// <summary>Two 8-GPU nodes, each queue's quota held by a running Job; three Jobs wait: two in team-a, one in team-b, one cohort.</summary>
    private static async Task<(ControllerHarness Harness, Decision Decision)> WaitingAsync()
    {
        var h = await ControllerHarness.StartAsync();
        h.Server.Seed(Objects.Cohort("lab"));
        h.Server.Seed(Objects.PriorityClass("high", 100));
        h.Server.Seed(Objects.PriorityClass("mid", 50));
        h.SeedCluster(2, 8, Objects.Queue("team-a", "a100", "8", cohort: "lab"), Objects.Queue("team-b", "a100", "8", cohort: "lab"));
        h.Server.Seed(Objects.Job("big-a", 1, 8, "team-a", ns: "alpha"));
        h.Server.Seed(Objects.Job("big-b", 1, 8, "team-b", ns: "gamma"));
        await h.RunUntilQuietAsync();
        h.Server.Seed(Objects.Job("a-low", 1, 8, "team-a", ns: "beta"));
        h.Server.Seed(Objects.Job("a-high", 1, 8, "team-a", ns: "alpha", priorityClass: "high"));
        h.Server.Seed(Objects.Job("b-mid", 1, 8, "team-b", ns: "gamma", priorityClass: "mid"));
        await h.RunUntilQuietAsync();
        return (h, h.Controller.LastDecision!);
    }

    [Fact]
    public async Task Read_ListsTheQueueInTheControllersOrder_WithItsReasonsAndCohortPositions()
    {
        var (h, decision) = await WaitingAsync();
        await using var _ = h;

        var page = PendingWorkloads.Read(decision, "team-a", _ => true, 0, 100);

        Assert.Equal("PendingWorkloadsSummary", page.Kind);
        Assert.Equal("lab", page.Cohort);
        Assert.Equal(2, page.Total);
        Assert.Equal(["job:alpha:a-high", "job:beta:a-low"], page.Items.Select(i => i.Job));
        Assert.Equal([1, 2], page.Items.Select(i => i.PositionInQueue ?? 0));
        Assert.Equal([1, 3], page.Items.Select(i => i.PositionInCohort ?? 0)); // b-mid (priority 50) comes between them
        Assert.Equal([1, 1], page.Items.Select(i => i.PositionInNamespace ?? 0));
        Assert.Equal([100, 0], page.Items.Select(i => i.Priority));
        foreach (var item in page.Items)
        {
            // What the controller wrote on the Job says the same reason and position.
            var said = h.ReadJob(item.Name, item.Namespace!).Metadata.Annotations[DecisionPlanner.PendingReasonAnnotation];
            Assert.StartsWith(item.Reason.Code + ": ", said, StringComparison.Ordinal);
            Assert.EndsWith($"(position {item.PositionInQueue} in queue team-a)", said, StringComparison.Ordinal);
        }

        var other = PendingWorkloads.Read(decision, "team-b", _ => true, 0, 100);
        Assert.Equal(2, Assert.Single(other.Items).PositionInCohort);
    }

    [Fact]
    public async Task Read_ForATenant_ShowsOnlyTheirNamespaces_WithPositionsCountedOverEveryone()
    {
        var (h, decision) = await WaitingAsync();
        await using var _ = h;

        var page = PendingWorkloads.Read(decision, "team-a", ns => ns == "beta", 0, 100);

        var item = Assert.Single(page.Items);
        Assert.Equal(1, page.Total);
        Assert.Equal("a-low", item.Name);
        Assert.Equal(2, item.PositionInQueue);
        Assert.Equal(1, item.PositionInNamespace);
    }

    [Fact]
    public async Task Read_OffsetAndLimit_PageInQueueOrder()
    {
        var (h, decision) = await WaitingAsync();
        await using var _ = h;

        var second = PendingWorkloads.Read(decision, "team-a", _ => true, 1, 1);
        var beyond = PendingWorkloads.Read(decision, "team-a", _ => true, 5, 10);

        Assert.Equal("a-low", Assert.Single(second.Items).Name);
        Assert.Equal(2, second.Total);
        Assert.Empty(beyond.Items);
        Assert.Equal(2, beyond.Total);
    }

    [Fact]
    public void Read_BeforeAnyDecision_IsAnEmptyPageWithoutATime()
    {
        var page = PendingWorkloads.Read(null, "team-a", _ => true, 0, 10);

        Assert.Empty(page.Items);
        Assert.Null(page.DecidedAt);
    }
}
