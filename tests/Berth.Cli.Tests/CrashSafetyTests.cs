namespace Berth.Cli.Tests;

/// <summary>
/// The crash harness, short: a few SIGKILLs of <c>berth serve</c> under submission load (BERTH_CRASH_KILLS raises
/// the count; the full run of 100 is recorded in docs/PERFORMANCE.md).
/// </summary>
public sealed class CrashSafetyTests
{
    [Fact]
    public async Task ServeKilledUnderLoad_KeepsEveryAcknowledgedJobOnce_AndNoGpuTwice()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("BERTH_CRASH_KILLS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var asked) && asked > 0 ? asked : 3;
        using var dir = new TempDir();
        var harness = new CrashHarness(dir.Combine("data"), seed: 13);
        await harness.RunAsync(kills);
        Assert.Equal(kills, harness.Kills);
        Assert.Equal(kills, harness.Checks);
        Assert.True(harness.Acked > 0, "no submit was acknowledged: the harness tested nothing");
    }
}
