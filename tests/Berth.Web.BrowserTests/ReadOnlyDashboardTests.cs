using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Berth.Web.BrowserTests;

/// <summary>
/// The dashboard over a read-only source (as <c>berth operator</c> mounts it): no submit form, no cancel, hold or release,
/// no logs; the jobs, reasons and the GPU grid (with a cordoned node and an unhealthy GPU) read as on the server.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReadOnlyDashboardTests(BrowserFixture browser)
{
    [Fact]
    public async Task ReadOnlySource_HasNoSubmitFormNorActions_AndShowsItsJobsAndGpus()
    {
        await using var app = await StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await page.GotoAsync(url + "/ui/#token=any&route=%2Fjobs");

        var pending = "#jobs-table .vt-row[data-id='ns-b/tune']";
        await Assertions.Expect(page.Locator(pending + " .reason")).ToHaveTextAsync("QuotaExceeded: queue team-b has no GPU quota left", new() { Timeout = 15_000 });
        Assert.Equal("kubernetes · read-only · reader", await page.InnerTextAsync("#source"));
        Assert.Equal(0, await page.Locator("#submit-form").CountAsync());

        await page.EvaluateAsync("location.hash = '#/jobs/ns-a%2Ftrain'");
        await Assertions.Expect(page.Locator("#job-facts [data-fact='State']")).ToHaveTextAsync("running", new() { Timeout = 15_000 });
        Assert.Equal(0, await page.Locator("main button").CountAsync());
        Assert.Equal(0, await page.Locator("pre.logs").CountAsync());

        await page.EvaluateAsync("location.hash = '#/nodes'");
        await page.Locator(".node.cordoned[data-node='gpu-1']").WaitForAsync(new() { Timeout = 15_000 });
        Assert.Equal(2, await page.Locator(".gpu[data-jobs~='ns-a/train']").CountAsync());
        Assert.Contains("unhealthy", await page.GetAttributeAsync(".gpu[data-gpu='gpu-1/3']", "aria-label"), StringComparison.Ordinal);
        await page.CloseAsync();
    }

    private static async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapClusterViews(new ClusterViewsOptions(new FixedViews(), _ => new ViewScope("reader", null)));
        await app.StartAsync();
        return app;
    }
}
