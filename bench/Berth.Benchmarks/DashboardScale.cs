using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Berth.Server;
using Berth.Server.Demo;
using Berth.Server.Jobs;

namespace Berth.Benchmarks;

/// <summary>
/// <c>scenario dashboard-load [--jobs 10000] [--rounds 20]</c>: the dashboard's first load from a server whose store holds that
/// many jobs (docs/PERFORMANCE.md), as a browser makes it: the page and its files (HTML, CSS, scripts, Chart.js) at once,
/// then <c>/api/v1/info</c>, then at once the first jobs page (500), queues, cohorts, nodes and the timeline. Over HTTP on
/// loopback with a fresh connection per round (no keep-alive from the last round); the first round (cold: JIT, first
/// serialisation) is reported apart from the rest. With <c>--browser on</c>, Debian's chromium (Playwright) opens the page in a
/// fresh browser context each round (empty cache) and the time runs from navigation to the first jobs drawn in the table,
/// and to the overview's chart drawn.
/// </summary>
public static class DashboardScale
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly string[] Files = ["ui/", "ui/app.css", "ui/palette.js", "ui/app.js", "ui/chart.umd.min.js"];

    private static readonly string[] Views = ["api/v1/jobs?limit=500", "api/v1/queues", "api/v1/cohorts", "api/v1/nodes", "api/v1/timeline"];

    public static int Load(int jobs, int rounds, bool browser)
    {
        var dir = Path.Combine(Path.GetTempPath(), "berth-dashboard-bench-" + Guid.NewGuid().ToString("N")[..12]);
        var cluster = DemoCluster.Create();
        using (var store = Berth.Server.Store.ServerStore.Open(dir, cluster.Configuration))
        {
            var queues = cluster.Configuration.Queues.Select(q => q.Name).ToArray();
            var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < jobs; i++)
            {
                store.Submit(new JobSpec { Name = "filler", Queue = queues[i % queues.Length], User = "user-" + (i % 50).ToString(Inv), Duration = "1h", PodSets = [new PodSetSpec { Count = 1 + (i % 2), Gpus = 1 << (i % 4) }] }, null, at.AddMilliseconds(i));
            }
        }

        var server = BerthServer.StartAsync(new ServerOptions { DataDirectory = dir, Cluster = cluster, Port = 0, RequestsPerSecond = 1_000_000, CycleInterval = null }).GetAwaiter().GetResult();
        try
        {
            if (browser)
            {
                return InBrowser(server, rounds).GetAwaiter().GetResult();
            }

            var times = new List<double>();
            long bytes = 0;
            for (var r = 0; r < rounds + 1; r++)
            {
                using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = server.Url };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
                var watch = Stopwatch.StartNew();
                var got = Task.WhenAll(Files.Select(f => Get(http, f))).GetAwaiter().GetResult().Sum();
                got += Get(http, "api/v1/info").GetAwaiter().GetResult();
                got += Task.WhenAll(Views.Select(v => Get(http, v))).GetAwaiter().GetResult().Sum();
                times.Add(watch.Elapsed.TotalMilliseconds);
                bytes = got;
            }

            var warm = times.Skip(1).Order().ToArray();
            Console.WriteLine(string.Create(Inv, $"dashboard-load: {server.Store.Count} jobs, {server.Loop.Pending.Count} pending with reasons; first load ({bytes / 1024} KiB: page, files, info, 500 jobs, queues, cohorts, nodes, timeline): cold {times[0]:0} ms; then over {warm.Length} rounds p50 {warm[warm.Length / 2]:0.0} ms, max {warm[^1]:0.0} ms"));
            return times.Max() <= 1000 ? 0 : 1;
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<int> InBrowser(BerthServer server, int rounds)
    {
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync().ConfigureAwait(false);
        await using var chromium = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"] }).ConfigureAwait(false);
        var worst = 0.0;
        foreach (var (route, ready) in new[] { ("/jobs", "#jobs-table .vt-row"), ("/", "body canvas") })
        {
            var times = new List<double>();
            for (var r = 0; r < rounds + 1; r++)
            {
                var page = await chromium.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } }).ConfigureAwait(false);
                var url = new Uri(server.Url, "ui/").AbsoluteUri + "#token=" + Uri.EscapeDataString(server.AdminToken!) + "&route=" + Uri.EscapeDataString(route);
                var watch = Stopwatch.StartNew();
                await page.GotoAsync(url).ConfigureAwait(false);
                await page.WaitForSelectorAsync(ready, new() { Timeout = 30_000 }).ConfigureAwait(false);
                if (route == "/")
                {
                    await page.WaitForFunctionAsync("() => { const c = document.querySelector('canvas'); return c && window.Chart && Chart.getChart(c) !== undefined; }").ConfigureAwait(false);
                }

                times.Add(watch.Elapsed.TotalMilliseconds);
                await page.Context.CloseAsync().ConfigureAwait(false);
            }

            var warm = times.Skip(1).Order().ToArray();
            worst = Math.Max(worst, times.Max());
            Console.WriteLine(string.Create(Inv, $"dashboard-load --browser: {server.Store.Count} jobs; route {route} in chromium, empty cache each round, to '{ready}' drawn: first {times[0]:0} ms; then over {warm.Length} rounds p50 {warm[warm.Length / 2]:0} ms, max {warm[^1]:0} ms"));
        }

        return worst <= 1000 ? 0 : 1;
    }

    private static async Task<long> Get(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative)).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false)).LongLength;
    }
}
