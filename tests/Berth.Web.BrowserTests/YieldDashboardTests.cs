using Berth.Model.Queueing;
using Microsoft.Playwright;

namespace Berth.Web.BrowserTests;

/// <summary>
/// Accelerator yield on a real <c>berth serve</c>'s dashboard (issue #16): jobs on simulated nodes state their GPU
/// activity; the overview says allocation and yield beside each other, the queues table says how many of a queue's GPUs
/// are busy and idle, and the job page of an idle job shows the idle badge, its Idle event and its right-sizing advice.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class YieldDashboardTests(BrowserFixture browser)
{
    private const float Wait = 15_000;

    [Fact]
    public async Task IdleJob_ShowsInTheOverviewsYield_TheQueuesIdleGpus_AndItsPage()
    {
        var cluster = LiveServer.Cluster();
        var idle = new IdleGpuPolicy { After = TimeSpan.FromMinutes(1), Below = 0.1, Action = IdleAction.Notify };
        cluster = cluster with { Configuration = cluster.Configuration with { Queues = cluster.Configuration.Queues.Select(q => q.Name == "team-a" ? q with { IdleGpus = idle } : q).ToArray() } };
        await using var server = await LiveServer.StartAsync(cluster);
        var sleeper = await server.SubmitAsync("team-a", gpus: 4, duration: "1h", name: "sleeper", activity: 0.05);
        await server.SubmitAsync("team-b", gpus: 2, duration: "1h", name: "busy", activity: 0.8);
        server.Cycle();
        server.Time.Advance(120);
        server.Cycle();

        var page = await OpenAsync(server, "/");
        // 6 of 8 GPUs allocated; busy: 4 x 0.05 + 2 x 0.8 = 1.8 GPUs, 22.5% of capacity.
        await Assertions.Expect(page.Locator("#timeline-summary")).ToContainTextAsync("1.8 busy and 4.2 allocated but idle. Allocation 75%, yield 22.5% (used / capacity).", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("tr[data-queue='team-a'] td:nth-child(7)")).ToHaveTextAsync("0.2 / 3.8");
        await Assertions.Expect(page.Locator("tr[data-queue='team-b'] td:nth-child(7)")).ToHaveTextAsync("1.6 / 0.4");

        await page.CloseAsync();
        page = await OpenAsync(server, "/jobs/" + sleeper.Id);
        await Assertions.Expect(page.Locator("#idle-badge")).ToHaveTextAsync("idle GPUs", new() { Timeout = Wait });
        var events = await page.Locator("section[aria-labelledby='h-Events'] tbody tr").AllInnerTextsAsync();
        Assert.Contains(events, e => e.Contains("Idle", StringComparison.Ordinal) && e.Contains("GPU activity 5 %", StringComparison.Ordinal));
        var advice = (await server.GetAsync(sleeper.Id)).RightSizing;
        Assert.StartsWith("asked 4 GPUs, used at most 0.2 at p95", advice, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("dd[data-fact='Right-sizing']")).ToHaveTextAsync(advice!);
        await page.CloseAsync();
    }

    [Fact]
    public async Task BusyJob_HasNoIdleBadge_AndAJobWithoutActivity_LeavesYieldUnknown()
    {
        await using var server = await LiveServer.StartAsync();
        var busy = await server.SubmitAsync("team-a", gpus: 2, duration: "1h", name: "busy", activity: 0.9);
        server.Cycle();
        var page = await OpenAsync(server, "/jobs/" + busy.Id);
        await Assertions.Expect(page.Locator("dd[data-fact='Right-sizing']")).ToContainTextAsync("asked 2 GPUs", new() { Timeout = Wait });
        Assert.Equal(0, await page.Locator("#idle-badge").CountAsync());
        await page.CloseAsync();

        await using var unknown = await LiveServer.StartAsync();
        await unknown.SubmitAsync("team-a", gpus: 2, duration: "1h");
        unknown.Cycle();
        page = await OpenAsync(unknown, "/");
        await Assertions.Expect(page.Locator("#timeline-summary")).ToContainTextAsync("GPU use not reported. Allocation 25%; yield not known.", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("tr[data-queue='team-a'] td:nth-child(7)")).ToHaveTextAsync("–");
        await page.CloseAsync();
    }

    private async Task<IPage> OpenAsync(LiveServer server, string route)
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await page.GotoAsync(server.DashboardUrl(route));
        return page;
    }
}
