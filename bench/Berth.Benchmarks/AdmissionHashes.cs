using System.Globalization;
using Berth.Engine.Admission;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;

namespace Berth.Benchmarks;

/// <summary>
/// <c>scenario hashes [--conformance scenarios/conformance] [--itp scenarios/itp-merged.yaml|none]</c>: the event-log
/// hash of every conformance scenario and of the merged ITP replay under every profile (not only the profiles a
/// scenario lists), as one markdown table. A refactor of admission that must not change behaviour keeps every cell.
/// </summary>
public static class AdmissionHashes
{
    public static int Run(string conformanceFolder, string itpFile)
    {
        var profiles = AdmissionProfiles.Names;
        Console.WriteLine("| scenario | " + string.Join(" | ", profiles) + " |");
        Console.WriteLine("|---|" + string.Concat(profiles.Select(_ => "---|")));
        foreach (var file in Directory.GetFiles(conformanceFolder, "*.yaml").Order(StringComparer.Ordinal))
        {
            Row(Path.GetFileNameWithoutExtension(file), ScenarioReader.Read(file), profiles);
        }

        if (!string.Equals(itpFile, "none", StringComparison.Ordinal))
        {
            Row(Path.GetFileNameWithoutExtension(itpFile), ScenarioReader.Read(itpFile), profiles);
        }

        return 0;
    }

    private static void Row(string name, Scenario scenario, IReadOnlyList<string> profiles)
    {
        var hashes = profiles.Select(p => JobReplay.Run(scenario, p).EventLogHash);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {string.Join(" | ", hashes)} |"));
        Console.Out.Flush();
    }
}
