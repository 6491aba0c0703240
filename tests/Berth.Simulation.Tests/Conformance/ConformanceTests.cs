using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Berth.Simulation.Tests.Scenarios;

namespace Berth.Simulation.Tests.Conformance;

/// <summary>
/// Every scenario under scenarios/conformance runs under each profile it lists (fair-share when it lists
/// none) and must produce exactly the admissions and evictions it expects, at the times it expects, with
/// the reasons it expects.
/// </summary>
public class ConformanceTests
{
    public static string Folder => Path.Combine(Repository.Root, "scenarios", "conformance");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Scenario_RunsAsExpected(string file)
    {
        var scenario = ScenarioReader.Read(Path.Combine(Folder, file));
        Assert.NotEmpty(scenario.Expectations);
        foreach (var profile in scenario.Profiles.Count > 0 ? scenario.Profiles : ["fair-share"])
        {
            var problems = ConformanceCheck.Run(scenario, profile);
            Assert.True(problems.Count == 0, $"{file} under {profile}:\n" + string.Join("\n", problems));
        }
    }

    [Fact]
    public void Folder_HoldsAtLeastFortyScenarios()
    {
        Assert.True(Files().Count >= 40, $"only {Files().Count} conformance scenarios");
    }
}
