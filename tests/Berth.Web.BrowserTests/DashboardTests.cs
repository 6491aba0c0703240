using Berth.Simulation.Reports;
using Microsoft.Playwright;

namespace Berth.Web.BrowserTests;

/// <summary>
/// The dashboard of a real <c>berth serve</c> in Debian's chromium: a job submitted through the page goes pending, running
/// and succeeded on screen (live, over the event stream), its pending reason and queue position are readable, it is found on
/// its GPUs in the grid, and bad input gets a message in the page. Cycles run when the test says, on a manual clock.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(BrowserFixture browser)
{
    private const float Wait = 15_000;

    [Fact]
    public async Task SubmitThroughThePage_TheRowGoesPendingThenRunningThenSucceeded()
    {
        await using var server = await LiveServer.StartAsync();
        var page = await OpenAsync(server, "/jobs");
        await page.WaitForSelectorAsync("#submit-form", new() { Timeout = Wait });
        await page.SelectOptionAsync("#s-queue", "team-a");
        await page.FillAsync("#s-name", "from-the-page");
        await page.FillAsync("#s-gpus", "2");
        await page.FillAsync("#s-duration", "10m");
        await page.ClickAsync("#submit-form button[type=submit]");
        await Expect(page, "#submit-status", "Submitted j-1 (pending).");

        var row = "#jobs-table .vt-row[data-id='j-1']";
        await Expect(page, row + " .state", "pending");
        Assert.Equal("from-the-page", (await server.GetAsync("j-1")).Name);

        server.Cycle();
        await Expect(page, row + " .state", "running");

        server.Time.Advance(10 * 60);
        server.Cycle();
        await Expect(page, row + " .state", "succeeded");
        Assert.Equal(JobState.Succeeded, (await server.GetAsync("j-1")).State);
        await page.CloseAsync();
    }

    [Fact]
    public async Task WaitingJob_ShowsReasonAndPosition_ThenIsFoundOnItsGpusInTheGrid()
    {
        await using var server = await LiveServer.StartAsync();
        var blockerA = await server.SubmitAsync("team-a", gpus: 4, duration: "5m");
        await server.SubmitAsync("team-b", gpus: 4, duration: "1h");
        var waiting = await server.SubmitAsync("team-a", gpus: 2, name: "waits");
        var second = await server.SubmitAsync("team-a", gpus: 1, name: "waits-too");
        server.Cycle();

        var page = await OpenAsync(server, "/jobs?queue=team-a");
        var row = $"#jobs-table .vt-row[data-id='{waiting.Id}']";
        await Expect(page, row + " .state", "pending");
        var reason = await page.InnerTextAsync(row + " .reason");
        var expected = (await server.GetAsync(waiting.Id)).Pending!;
        Assert.StartsWith(expected.Code + ":", reason, StringComparison.Ordinal);
        Assert.Equal("1", await page.InnerTextAsync(row + " .position"));
        Assert.Equal("2", await page.InnerTextAsync($"#jobs-table .vt-row[data-id='{second.Id}'] .position"));
        Assert.Equal(0, await page.Locator($"#jobs-table .vt-row[data-id='j-2']").CountAsync()); // team-b's job is filtered out

        // Its page says the same, with the reason in its history.
        await page.EvaluateAsync($"location.hash = '#/jobs/{waiting.Id}'");
        await Expect(page, "#job-facts [data-fact='Queue position']", "1");
        Assert.Contains(expected.Code, await page.InnerTextAsync("#job-facts [data-fact='Pending reason']"), StringComparison.Ordinal);
        Assert.Contains(expected.Code, await page.InnerTextAsync("section[aria-labelledby='h-Reason-history']"), StringComparison.Ordinal);

        // The blocker ends; the waiting job starts and holds 2 GPUs, which the grid shows as its.
        server.Time.Advance(5 * 60);
        server.Cycle();
        Assert.Equal(JobState.Succeeded, (await server.GetAsync(blockerA.Id)).State);
        var placed = (await server.GetAsync(waiting.Id)).Placement!;
        await page.EvaluateAsync("location.hash = '#/nodes'");
        var cells = page.Locator($".gpu[data-jobs~='{waiting.Id}']");
        await cells.First.WaitForAsync(new() { Timeout = Wait });
        Assert.Equal(placed.Sum(p => p.Gpus.Count), await cells.CountAsync());
        var expectedCells = placed.SelectMany(p => p.Gpus.Select(g => $"{p.Node}/{g}")).Order(StringComparer.Ordinal).ToArray();
        var shown = new List<string>();
        foreach (var cell in await cells.AllAsync())
        {
            shown.Add((await cell.GetAttributeAsync("data-gpu"))!);
            Assert.Contains($"held by {waiting.Id}", await cell.GetAttributeAsync("aria-label"), StringComparison.Ordinal);
        }

        Assert.Equal(expectedCells, shown.Order(StringComparer.Ordinal).ToArray());
        await page.CloseAsync();
    }

    [Fact]
    public async Task JobPage_OffersOnlyWhatItsStateAllows_HoldThenReleaseThenCancel()
    {
        await using var server = await LiveServer.StartAsync();
        var job = await server.SubmitAsync("team-a", gpus: 1);
        var page = await OpenAsync(server, "/jobs/" + job.Id);
        await Expect(page, "#job-facts [data-fact='State']", "pending");
        Assert.Equal(["Cancel", "Hold"], await page.Locator("main .actions button").AllInnerTextsAsync());

        await page.ClickAsync("main .actions button:text('Hold')");
        await Expect(page, "#job-facts [data-fact='State']", "held");
        Assert.Equal(JobState.Held, (await server.GetAsync(job.Id)).State);
        Assert.Equal(["Cancel", "Release"], await page.Locator("main .actions button").AllInnerTextsAsync());

        await page.ClickAsync("main .actions button:text('Release')");
        await Expect(page, "#job-facts [data-fact='State']", "pending");
        await page.ClickAsync("main .actions button:text('Cancel')");
        await Expect(page, "#job-facts [data-fact='State']", "cancelled");
        Assert.Equal(0, await page.Locator("main .actions button").CountAsync());
        Assert.Equal(JobState.Cancelled, (await server.GetAsync(job.Id)).State);
        await page.CloseAsync();
    }

    [Fact]
    public async Task GpuGrid_RedrawnByALiveChange_KeepsTheKeyboardFocusOnTheSameGpu()
    {
        await using var server = await LiveServer.StartAsync();
        await server.SubmitAsync("team-a", gpus: 1);
        server.Cycle();
        var page = await OpenAsync(server, "/nodes");
        var held = page.Locator(".gpu[data-jobs~='j-1']");
        await held.WaitForAsync(new() { Timeout = Wait });
        var gpu = await held.GetAttributeAsync("data-gpu");
        await held.FocusAsync();

        await server.SubmitAsync("team-b", gpus: 1);
        server.Cycle();
        await page.Locator(".gpu[data-jobs~='j-2']").WaitForAsync(new() { Timeout = Wait });
        Assert.Equal(gpu, await page.EvaluateAsync<string?>("document.activeElement?.dataset?.gpu ?? null"));
        await page.CloseAsync();
    }

    [Fact]
    public async Task BadFilter_UnknownJob_AndBadToken_EachShowAClearMessage_AndChangeNothing()
    {
        await using var server = await LiveServer.StartAsync();
        await server.SubmitAsync("team-a", gpus: 1);
        var page = await OpenAsync(server, "/jobs?state=sleeping");
        await Expect(page, "#message", "state 'sleeping' is not a job state; use one of pending, held, running, succeeded, failed, cancelled");

        await page.EvaluateAsync("location.hash = '#/jobs?queue=nobody'");
        await ExpectContains(page, "#message", "there is no queue 'nobody'; use one of team-a, team-b");

        await page.EvaluateAsync("location.hash = '#/jobs/j-404'");
        await ExpectContains(page, "#message", "no job j-404");
        await page.CloseAsync();

        var bad = await OpenAsync(server, "/", token: "not-a-token");
        await ExpectContains(bad, "#token-why", "The API refused the token: the token is not known to this server");
        Assert.True(await bad.IsVisibleAsync("#token-form"));
        await bad.FillAsync("#token-input", server.AdminToken);
        await bad.ClickAsync("#token-form button[type=submit]");
        await bad.Locator("#timeline-summary").WaitForAsync(new() { Timeout = Wait });
        Assert.False(await bad.IsVisibleAsync("#token-form"));
        await bad.CloseAsync();
        Assert.Equal(1, server.Server.Store.Count);
    }

    [Fact]
    public async Task Keyboard_TabReachesTheRows_ArrowsMove_EnterOpensTheJob()
    {
        await using var server = await LiveServer.StartAsync();
        await server.SubmitAsync("team-a", gpus: 1);
        await server.SubmitAsync("team-b", gpus: 1);
        var page = await OpenAsync(server, "/jobs");
        await page.WaitForSelectorAsync("#jobs-table .vt-row[data-id='j-2']", new() { Timeout = Wait });
        for (var i = 0; i < 40 && await page.EvaluateAsync<string?>("document.activeElement?.dataset?.id ?? null") is null; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Equal("j-1", await page.EvaluateAsync<string>("document.activeElement.dataset.id"));
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal("j-2", await page.EvaluateAsync<string>("document.activeElement.dataset.id"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page, "#job-facts [data-fact='Queue']", "team-b");
        Assert.EndsWith("#/jobs/j-2", page.Url, StringComparison.Ordinal);
        await page.CloseAsync();
    }

    [Fact]
    public async Task TenThousandJobs_TheTableDrawsOnlyWhatIsOnScreen_AndPagesToTheLast()
    {
        await using var server = await LiveServer.StartAsync();
        var spec = new Berth.Server.Jobs.JobSpec { Queue = "team-a", Duration = "1h", PodSets = [new Berth.Server.Jobs.PodSetSpec { Count = 1, Gpus = 1, Cpu = 1, MemoryGiB = 1 }] };
        for (var i = 0; i < 10_000; i++)
        {
            server.Server.Store.Submit(spec with { User = i % 2 == 0 ? "alice" : "bob" }, null, server.Time.GetUtcNow());
        }

        var page = await OpenAsync(server, "/jobs");
        await Expect(page, "#jobs-count", "10,000 jobs (500 loaded; scroll for more)");
        Assert.Equal("10001", await page.GetAttributeAsync("#jobs-table", "aria-rowcount"));
        Assert.InRange(await page.Locator("#jobs-table .vt-row").CountAsync(), 10, 60);

        await page.EvaluateAsync("document.getElementById('jobs-table').scrollTop = 1e9");
        await page.WaitForSelectorAsync("#jobs-table .vt-row[data-id='j-10000']", new() { Timeout = 60_000 });
        Assert.InRange(await page.Locator("#jobs-table .vt-row").CountAsync(), 10, 60);

        await page.EvaluateAsync("location.hash = '#/jobs?user=bob'");
        await Expect(page, "#jobs-count", "5,000 jobs (500 loaded; scroll for more)");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Assets_ComeFromTheServerItself_AndUseTheReportsPalette()
    {
        await using var server = await LiveServer.StartAsync();
        var page = await OpenAsync(server, "/");
        var outside = new List<string>();
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith(server.Server.Url.AbsoluteUri, StringComparison.Ordinal))
            {
                outside.Add(r.Url);
            }
        };
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#timeline-summary", new() { Timeout = Wait });
        Assert.True(await page.EvaluateAsync<bool>("typeof window.Chart === 'function'"), "Chart.js did not load from /ui");
        Assert.Empty(outside);
        var series = await page.EvaluateAsync<string[]>("window.BerthPalette.series");
        Assert.Equal(PolicyColors.Palette, series);
        await page.CloseAsync();
    }

    internal async Task<IPage> OpenAsync(LiveServer server, string route, string? token = null, int width = 1400)
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        await page.GotoAsync(server.DashboardUrl(route, token));
        return page;
    }

    private static async Task Expect(IPage page, string selector, string text)
    {
        var locator = page.Locator(selector);
        await Assertions.Expect(locator).ToHaveTextAsync(text, new() { Timeout = Wait });
    }

    private static async Task ExpectContains(IPage page, string selector, string text)
    {
        var locator = page.Locator(selector);
        await Assertions.Expect(locator).ToContainTextAsync(text, new() { Timeout = Wait });
    }
}
