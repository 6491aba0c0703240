using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Berth.Web.BrowserTests;

/// <summary>
/// Every view of the dashboard through axe-core (the rules of WCAG 2.1 A and AA): no serious or critical fault, so labels,
/// names, roles, contrast and landmarks are in place for keyboard and screen-reader users.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("/", "#timeline-summary")]
    [InlineData("/jobs", "#jobs-table .vt-row")]
    [InlineData("/nodes", ".gpu")]
    [InlineData("/jobs/j-2", "#job-facts")]
    public async Task View_HasNoSeriousAccessibilityFault(string route, string ready)
    {
        await using var server = await LiveServer.StartAsync();
        await server.SubmitAsync("team-a", gpus: 4, duration: "1h");
        await server.SubmitAsync("team-a", gpus: 2, name: "waits");
        await server.SubmitAsync("team-b", gpus: 0, share: 0.5);
        await server.SubmitAsync("team-b", gpus: 1, duration: "1m");
        server.Cycle();
        server.Time.Advance(120);
        server.Cycle(); // the last one has succeeded: every state colour the views use is on screen
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await page.GotoAsync(server.DashboardUrl(route));
        await page.WaitForSelectorAsync(ready, new() { Timeout = 15_000 });

        var result = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        var faults = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help}; {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToArray();
        Assert.True(faults.Length == 0, string.Join("\n", faults));
        await page.CloseAsync();
    }
}
