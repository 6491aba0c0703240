using Berth.Cli.Running;

namespace Berth.Cli.Tests.Chaos;

/// <summary>
/// Issue 12, crash safety as a real process: the chaos harness run short in CI. Two <c>berth operator</c> processes
/// (the berth.dll this project builds), SIGKILLed at seeded moments; no invariant may break. The full run is
/// <c>scenario chaos --kills 100</c> in bench/Berth.Benchmarks (docs/PERFORMANCE.md).
/// </summary>
public sealed class ChaosScenarioTests
{
    [Fact]
    public async Task Chaos_TenSigkillsOfTwoOperatorProcessesWithLaggingWatches_NoInvariantBroken()
    {
        var berth = Path.Combine(Path.GetDirectoryName(typeof(BerthCli).Assembly.Location)!, "berth.dll");
        var lines = new List<string>();

        // A gang timeout twice the full run's: CI machines are shared, and a fresh replica's first decision compiles the engine.

        var result = await ChaosScenario.RunAsync(new ChaosOptions { Kills = 10, Seed = 7, BerthDll = berth, InFlight = 6, GangTimeout = TimeSpan.FromSeconds(60), WatchLag = true }, line => { lock (lines) { lines.Add(line); } });

        Assert.True(result.Violations.Count == 0, result.Table() + string.Join('\n', lines));
        Assert.Equal(10, result.TotalKills);
        Assert.True(result.Kills.Count(k => k.Value > 0) >= 3, "the kills hit fewer than three kinds of moment:\n" + result.Table());
        Assert.True(result.Submitted >= 10 && result.Finished == result.Submitted, result.Table());
        Assert.True(result.Bindings > 0, result.Table());
    }
}
