using System.Net;
using System.Net.Http.Json;
using Berth.Runtime.Yield;
using Berth.Server.Api;
using Berth.Server.Jobs;

namespace Berth.Server.Tests.Usage;

/// <summary>Showback from the store: GPU-hours per queue, user and GPU model over a period, priced from the price table.</summary>
public class UsageTests
{
    private static readonly PriceTable Prices = new("EUR", new Dictionary<string, double> { ["A100"] = 2.5 });

    private static object Job(string queue, int gpus, string duration, double? activity) =>
        new JobSpec { Queue = queue, Duration = duration, GpuActivity = activity, PodSets = [new PodSetSpec { Name = "workers", Count = 1, Gpus = gpus, Cpu = 1, MemoryGiB = 4 }] };

    [Fact]
    public async Task Usage_OverAPeriod_ClipsRunsToIt_SplitsThemByDay_AndPricesThem()
    {
        await using var h = await ServerHarness.StartAsync(prices: Prices);
        var start = h.Time.GetUtcNow();
        await h.SubmitOkAsync(Job("team-a", 4, "3h", 0.25));
        await h.SubmitOkAsync(Job("team-b", 2, "1h", null));
        h.Cycle();
        h.Time.Advance(3600);
        h.Cycle(); // team-b's job ends after 1 h
        h.Time.Advance(3600);
        h.Cycle(); // team-a's still runs

        // From 30 minutes after the start to now (2 h): team-a 4 GPUs x 1.5 h, team-b 2 GPUs x 0.5 h.
        var from = Uri.EscapeDataString(start.AddMinutes(30).ToString("O"));
        var usage = (await h.Admin.GetFromJsonAsync<UsageSummary>($"api/v1/usage?from={from}", ApiJson.Responses))!;
        Assert.Equal("EUR", usage.Currency);
        Assert.Equal(2, usage.Rows.Count);
        var a = usage.Rows[0];
        Assert.Equal(("team-a", "admin", "A100", 1, 6.0, 1.5, (double?)15), (a.Queue, a.User, a.GpuModel, a.Jobs, a.AllocatedGpuHours, a.UsedGpuHours, a.Cost));
        var b = usage.Rows[1];
        Assert.Equal(("team-b", 1.0, 0.0, (double?)2.5), (b.Queue, b.AllocatedGpuHours, b.UsedGpuHours, b.Cost));
        Assert.Equal(7.0, usage.Days.Sum(d => d.AllocatedGpuHours), 6);
    }

    [Fact]
    public async Task Usage_WithoutPrices_HasNoCost_AndAPeriodBeforeAnyJobIsEmpty()
    {
        await using var h = await ServerHarness.StartAsync();
        await h.SubmitOkAsync(Job("team-a", 1, "1h", 0.5));
        h.Cycle();
        h.Time.Advance(600);
        var usage = (await h.Admin.GetFromJsonAsync<UsageSummary>("api/v1/usage", ApiJson.Responses))!;
        Assert.Null(usage.Currency);
        Assert.Null(Assert.Single(usage.Rows).Cost);
        var before = (await h.Admin.GetFromJsonAsync<UsageSummary>("api/v1/usage?from=2020-01-01&to=2020-01-02", ApiJson.Responses))!;
        Assert.Empty(before.Rows);
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=soon", "to")]
    [InlineData("from=2026-12-08&to=2026-12-01", "from")]
    [InlineData("from=2020-01-01&to=2026-12-01", "from")]
    public async Task Usage_BadPeriod_IsRefusedNamingTheField(string query, string field)
    {
        await using var h = await ServerHarness.StartAsync();
        using var response = await h.Admin.GetAsync("api/v1/usage?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"field\":\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_NamingTheSubmitter_IsRefused_AndChangesNothing()
    {
        await using var h = await ServerHarness.StartAsync();
        using var response = await h.SubmitAsync(new JobSpec { Queue = "team-a", Duration = "1h", SubmittedBy = "someone-else", PodSets = [new PodSetSpec { Count = 1, Gpus = 1 }] });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("submittedBy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(h.Server.Store.All());
    }
}
