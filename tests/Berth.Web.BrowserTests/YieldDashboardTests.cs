using Berth.Model.Queueing;
using Berth.Model;
using Berth.Server.Executors;
using Berth.Server.Telemetry;
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
        await Assertions.Expect(page.Locator("tr[data-cohort='all'] td:nth-child(7)")).ToHaveTextAsync("1.8 / 4.2");

        await page.CloseAsync();
        page = await OpenAsync(server, "/jobs/" + sleeper.Id);
        await Assertions.Expect(page.Locator("#idle-badge")).ToHaveTextAsync("idle GPUs", new() { Timeout = Wait });
        var events = await page.Locator("section[aria-labelledby='h-Events'] tbody tr").AllInnerTextsAsync();
        Assert.Contains(events, e => e.Contains("Idle", StringComparison.Ordinal) && e.Contains("GPU activity 5 %", StringComparison.Ordinal));
        var advice = (await server.GetAsync(sleeper.Id)).RightSizing;
        Assert.StartsWith("asked 4 GPUs, used at most 0.2 at p95", advice, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("dd[data-fact='Right-sizing']")).ToHaveTextAsync(advice!);
        await page.CloseAsync();

        // The server's Busy event (its GPUs got busy again) takes the badge away.
        var record = server.Server.Store.Find(sleeper.Id)!;
        server.Server.Store.Apply([new Berth.Server.Store.JobUpdate(record, record with { Message = null }, [new Berth.Server.Jobs.JobEvent(server.Time.GetUtcNow(), "Busy", "GPU activity 80 % again; no longer idle")])]);
        page = await OpenAsync(server, "/jobs/" + sleeper.Id);
        await Assertions.Expect(page.Locator("dd[data-fact='Right-sizing']")).ToHaveTextAsync(advice!, new() { Timeout = Wait });
        Assert.Equal(0, await page.Locator("#idle-badge").CountAsync());
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

    [Fact]
    public async Task HeldGpus_ShowTheirActivityInTheGrid_InTextAndInTheirAccessibleName()
    {
        await using var server = await LiveServer.StartAsync();
        var job = await server.SubmitAsync("team-a", gpus: 2, duration: "1h", name: "half", activity: 0.45);
        server.Cycle();

        var page = await OpenAsync(server, "/nodes");
        var cells = page.Locator($".gpu[data-jobs='{job.Id}']");
        await Assertions.Expect(cells).ToHaveCountAsync(2, new() { Timeout = Wait });
        await Assertions.Expect(cells.First.Locator(".busy-text")).ToHaveTextAsync("45%");
        Assert.Contains("45% busy", await cells.First.GetAttributeAsync("aria-label"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".gpu:not(.held) .busy").CountAsync()); // a free GPU's activity is not shown
        await page.CloseAsync();

        page = await OpenAsync(server, "/jobs/" + job.Id);
        await Assertions.Expect(page.Locator("section[aria-labelledby='h-Placement'] tbody tr td:nth-child(5)")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^#\d+ 45%, #\d+ 45%$"), new() { Timeout = Wait });
        await page.CloseAsync();
    }

    [Fact]
    public async Task GpuThatNvidiaSmiMarksUnhealthy_IsHatchedInTheServersGrid()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A stand-in nvidia-smi printing the real CSV of two A100s; the second one's uncorrectable ECC counter rises.
        var bin = Path.Combine(Path.GetTempPath(), "berth-web-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(bin);
        var smi = Path.Combine(bin, "nvidia-smi");
        var gpus = Path.Combine(bin, "gpus.csv");
        File.WriteAllText(gpus, "GPU-aaaa, 0, 0, 0, 00000000:3B:00.0\nGPU-bbbb, 0, 0, 0, 00000000:86:00.0\n");
        File.WriteAllText(smi, $"#!/bin/sh\ncase \"$1\" in\n  {NvidiaSmiCsv.GpuQuery}) cat {gpus} ;;\n  *) exit 0 ;;\nesac\n");
        File.SetUnixFileMode(smi, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var machine = new LocalMachine(new Node { Name = LocalMachine.NodeName, CpuMilli = 4000, MemoryMiB = 8192, GpuCount = 2, GpuModel = "A100" }, ["GPU-aaaa", "GPU-bbbb"]);
        var telemetry = new GpuTelemetryOptions { NvidiaSmi = smi, KernelLog = [], Interval = TimeSpan.FromSeconds(10), MaxAge = TimeSpan.FromMinutes(1), RecoverAfter = 2 };
        await using var server = await LiveServer.StartAsync(machine.Cluster(), o => o with { LocalMachine = machine, GpuTelemetry = telemetry, StopGrace = TimeSpan.FromSeconds(1) });
        server.Cycle();
        File.WriteAllText(gpus, "GPU-aaaa, 0, 0, 0, 00000000:3B:00.0\nGPU-bbbb, 0, 0, 2, 00000000:86:00.0\n");
        server.Time.Advance(20);
        server.Cycle();

        var page = await OpenAsync(server, "/nodes");
        var bad = page.Locator(".gpu[data-gpu='local/1']");
        await Assertions.Expect(bad).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bunhealthy\b"), new() { Timeout = Wait });
        Assert.Contains("unhealthy", await bad.GetAttributeAsync("aria-label"), StringComparison.Ordinal);
        Assert.DoesNotContain("unhealthy", await page.Locator(".gpu[data-gpu='local/0']").GetAttributeAsync("class"), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("article[data-node='local'] .node-event")).ToContainTextAsync("GpuUnhealthy: GPU 1 (GPU-bbbb): ecc.errors.uncorrected.volatile.total rose by 2 to 2");
        await page.CloseAsync();
        Directory.Delete(bin, recursive: true);
    }

    private async Task<IPage> OpenAsync(LiveServer server, string route)
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await page.GotoAsync(server.DashboardUrl(route));
        return page;
    }
}
