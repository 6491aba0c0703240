using System.Globalization;
using Microsoft.Playwright;

namespace Berth.Web.BrowserTests;

/// <summary>
/// The dashboard of a busy demo server at 1400 and 800 px wide: nothing runs off the page sideways, the cluster chart
/// has pixels on it, and no script fails. Screenshots go to the test output folder, and to BERTH_SCREENSHOTS_DIR when it
/// is set (docs/screenshots holds the ones the README shows).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture browser)
{
    public static TheoryData<string, int> Views()
    {
        var data = new TheoryData<string, int>();
        foreach (var width in new[] { 1400, 800 })
        {
            data.Add("overview", width);
            data.Add("jobs", width);
            data.Add("nodes", width);
            data.Add("job", width);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Views))]
    public async Task View_AtWidth_FitsThePage_AndDrawsItsChart(string view, int width)
    {
        await using var server = await BusyServerAsync();
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var route = view switch { "overview" => "/", "jobs" => "/jobs", "nodes" => "/nodes", _ => "/jobs/j-12" };
        await page.GotoAsync(server.DashboardUrl(route));
        var ready = view switch { "overview" => "#timeline-summary", "jobs" => "#jobs-table .vt-row", "nodes" => ".gpu", _ => "#job-facts" };
        await page.WaitForSelectorAsync(ready, new() { Timeout = 15_000 });
        await page.WaitForTimeoutAsync(200); // Chart.js draws in the next animation frame

        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"{view} at {width} px runs {overflow} px off the page sideways");
        if (view == "overview")
        {
            var painted = await page.EvaluateAsync<bool>("""
                (() => { const c = document.querySelector('canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                         for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; })()
                """);
            Assert.True(painted, "the cluster chart is blank");
            Assert.Contains("GPUs allocated", await page.InnerTextAsync("#timeline-summary"), StringComparison.Ordinal);
        }

        Assert.Empty(errors);
        var name = $"dashboard-{view}-{width.ToString(CultureInfo.InvariantCulture)}.png";
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = view != "jobs" });
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, name), bytes);
        if (Environment.GetEnvironmentVariable("BERTH_SCREENSHOTS_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            await File.WriteAllBytesAsync(Path.Combine(dir, name), bytes);
        }

        await page.CloseAsync();
    }

    /// <summary>
    /// Four nodes and two queues with work over an hour of server time: whole-GPU and shared jobs running, some waiting,
    /// some done, so every view has something to show.
    /// </summary>
    private static async Task<LiveServer> BusyServerAsync()
    {
        var server = await LiveServer.StartAsync(LiveServer.Cluster(nodes: 4));
        string[] queues = ["team-a", "team-b"];
        for (var i = 0; i < 24; i++)
        {
            var gpus = i % 5 == 4 ? 1 : 1 + (i % 3);
            await server.SubmitAsync(queues[i % 2], gpus: i % 7 == 3 ? 0 : gpus, pods: i % 6 == 5 ? 2 : 1, duration: $"{10 + (i * 7 % 40)}m",
                name: i % 2 == 0 ? "train" : "finetune", share: i % 7 == 3 ? 0.5 : null, activity: 0.3 + (i % 5 * 0.15));
            if (i % 3 == 2)
            {
                server.Cycle();
                server.Time.Advance(4 * 60);
            }
        }

        for (var i = 0; i < 6; i++)
        {
            server.Cycle();
            server.Time.Advance(5 * 60);
        }

        server.Cycle();
        return server;
    }
}
