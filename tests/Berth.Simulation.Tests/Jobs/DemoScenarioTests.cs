using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Scenarios;

namespace Berth.Simulation.Tests.Jobs;

/// <summary>
/// scenarios/demo.yaml lists its profiles so that each adds one mechanism; the README reads its table as
/// "each step buys this". These tests keep the scenario saying what the README says.
/// </summary>
public sealed class DemoScenarioTests
{
    private static readonly Lazy<Dictionary<string, JobRunResult>> Runs = new(() =>
    {
        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "demo.yaml"));
        return scenario.Profiles.ToDictionary(p => p, p => JobReplay.Run(scenario, p), StringComparer.Ordinal);
    });

    [Fact]
    public void Profiles_EachStepUpToBackfill_CutsTheMeanWait()
    {
        string[] steps = ["strict-fifo", "besteffort-fifo", "fair-share", "fair-share+backfill"];

        for (var i = 1; i < steps.Length; i++)
        {
            var before = Runs.Value[steps[i - 1]].Overall.MeanWait;
            var after = Runs.Value[steps[i]].Overall.MeanWait;
            Assert.True(after < before * 0.95, $"{steps[i]} waits {after / 3600:F2} h on average, not clearly less than {steps[i - 1]} ({before / 3600:F2} h)");
        }
    }

    [Fact]
    public void Profiles_FairShare_ServesTheHeavierWeightedTeamFirst()
    {
        double TeamA(string profile) => Runs.Value[profile].Queues.Single(q => q.Queue == "team-a").MeanWait;

        Assert.True(TeamA("fair-share") < TeamA("besteffort-fifo") * 0.5);
    }

    [Fact]
    public void Profiles_Preemption_ReclaimsQuotaForTheTeamThatLentIt()
    {
        var preempting = Runs.Value["fair-share+backfill+preemption"];
        var teamA = preempting.Queues.Single(q => q.Queue == "team-a").MeanWait;

        Assert.True(preempting.Overall.Preemptions > 0);
        Assert.All(Runs.Value.Where(r => r.Key != "fair-share+backfill+preemption"),
            r => Assert.True(teamA < r.Value.Queues.Single(q => q.Queue == "team-a").MeanWait * 0.5, $"team-a waits {teamA / 3600:F2} h with preemption, not half of {r.Key}"));
    }
}
