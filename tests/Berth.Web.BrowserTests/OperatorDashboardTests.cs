using Microsoft.Playwright;

namespace Berth.Web.BrowserTests;

/// <summary>
/// The read-only dashboard of <c>berth operator</c> in Debian's chromium, against the fake API server (see
/// <see cref="LiveOperator"/>): the queues, a waiting pod with the reason and position the controller gave it, a running
/// pod on its GPUs in the grid, no submit form, and a tenant who sees only their namespace. Screenshots of the jobs
/// and the nodes at 1400 px.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OperatorDashboardTests(BrowserFixture browser)
{
    private const float Wait = 15_000;

    [Fact]
    public async Task ReadOnlyViews_ShowQueues_AWaitingPodsReasonAndPosition_AndARunningPodOnItsGpus()
    {
        await using var live = await LiveOperator.StartAsync();
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        // The overview: both queues, and the page says where it runs.
        await page.GotoAsync(live.DashboardUrl("/"));
        await page.WaitForSelectorAsync("tr[data-queue='team-b']", new() { Timeout = Wait });
        Assert.Equal(1, await page.Locator("tr[data-queue='team-a']").CountAsync());
        await page.WaitForSelectorAsync("#timeline-summary", new() { Timeout = Wait });
        await page.WaitForTimeoutAsync(200); // Chart.js draws in the next animation frame
        Assert.Empty(errors);

        // The jobs of team-a: both waiting pods with the controller's reason and position; no submit form.
        await page.EvaluateAsync("location.hash = '#/jobs?queue=team-a'");
        foreach (var pod in new[] { "wait-1", "wait-2" })
        {
            var (code, _, position) = live.Waiting(pod);
            var row = $"#jobs-table .vt-row[data-id='pod:alpha:{pod}']";
            await Expect(page, row + " .state", "pending");
            Assert.StartsWith(code + ":", await page.InnerTextAsync(row + " .reason"), StringComparison.Ordinal);
            Assert.Equal(position.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.InnerTextAsync(row + " .position"));
        }

        Assert.Equal(0, await page.Locator("#submit-form").CountAsync());
        await page.EvaluateAsync("location.hash = '#/jobs'");
        await Expect(page, "#jobs-table .vt-row[data-id='pod:beta:other'] .state", "running");
        await SaveAsync(page, "dashboard-operator-1400.png");

        // The grid: train holds all 8 GPUs of its node.
        await page.EvaluateAsync("location.hash = '#/nodes'");
        var cells = page.Locator(".gpu[data-jobs~='pod:alpha:train']");
        await cells.First.WaitForAsync(new() { Timeout = Wait });
        Assert.Equal(8, await cells.CountAsync());
        foreach (var cell in await cells.AllAsync())
        {
            Assert.Contains("held by pod:alpha:train", await cell.GetAttributeAsync("aria-label"), StringComparison.Ordinal);
        }

        var spill = await page.EvaluateAsync<int>("Math.max(...[...document.querySelectorAll('.node')].map(n => n.scrollWidth - n.clientWidth))");
        Assert.True(spill <= 0, $"the GPU cells run {spill} px out of their node's card");
        await SaveAsync(page, "dashboard-operator-nodes-1400.png");
        Assert.Empty(errors);
    }

    /// <summary>A screenshot into the test output folder, and into BERTH_SCREENSHOTS_DIR when set (docs/screenshots holds the README's).</summary>
    private static async Task SaveAsync(IPage page, string name)
    {
        var shot = await page.ScreenshotAsync();
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, name), shot);
        if (Environment.GetEnvironmentVariable("BERTH_SCREENSHOTS_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            await File.WriteAllBytesAsync(Path.Combine(dir, name), shot);
        }
    }

    [Fact]
    public async Task Tenant_SeesOnlyTheirNamespacesQueue_AndJobs()
    {
        await using var live = await LiveOperator.StartAsync();
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();

        await page.GotoAsync(live.DashboardUrl("/jobs", token: "alice-token"));
        await page.WaitForSelectorAsync("#jobs-table .vt-row[data-id='pod:alpha:train']", new() { Timeout = Wait });

        Assert.Equal(0, await page.Locator("#jobs-table .vt-row[data-id='pod:beta:other']").CountAsync());
        await page.EvaluateAsync("location.hash = '#/'");
        await page.WaitForSelectorAsync("tr[data-queue='team-a']", new() { Timeout = Wait });
        Assert.Equal(0, await page.Locator("tr[data-queue='team-b']").CountAsync());
    }

    private static async Task Expect(IPage page, string selector, string text) =>
        await Assertions.Expect(page.Locator(selector)).ToHaveTextAsync(text, new() { Timeout = Wait });
}
