using System.Globalization;
using System.Text;
using Berth.Simulation.Generation;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Jobs;

/// <summary>
/// Data locality against locality-blind placement: one scenario's cluster and workloads, given datasets and node
/// caches from a seeded <see cref="DatasetCatalog"/>, replayed three ways: locality-blind (placement ignores
/// datasets), locality-aware (nodes that cache more of a job's data first), and aware with a bounded locality wait.
/// Each reports the data moved (datasets fetched onto nodes that did not cache them, see <see cref="DataStaging"/>),
/// job completion time, queue wait, and the replay's own wall time (what the preference costs the scheduler).
/// </summary>
public static class LocalityComparison
{
    /// <summary>One replay's figures; times in hours.</summary>
    public sealed record Row(int Seed, string Placement, double DataMovedGb, double P50JctHours, double P99JctHours, double MeanWaitHours, int Completed, double WallSeconds);

    /// <summary>The three replays of <paramref name="scenario"/> under <paramref name="profile"/> with the catalog of <paramref name="catalog"/>.</summary>
    public static IReadOnlyList<Row> Run(Scenario scenario, string profile, DatasetCatalogOptions catalog, TimeSpan localityWait)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var datasets = new DatasetCatalog(catalog);
        var nodes = datasets.Cache(scenario.Nodes);
        var plain = datasets.Assign(scenario.Workloads, null);
        var blind = scenario with { Nodes = nodes, Workloads = plain, Options = scenario.Options with { DataLocality = false } };
        var aware = blind with { Options = scenario.Options with { DataLocality = true } };
        var waiting = aware with { Workloads = datasets.Assign(scenario.Workloads, localityWait) };
        return
        [
            Measure(catalog.Seed, "locality-blind", blind, profile),
            Measure(catalog.Seed, "locality-aware", aware, profile),
            Measure(catalog.Seed, $"aware, wait {localityWait.TotalMinutes:0} min", waiting, profile),
        ];
    }

    /// <summary>The rows as a markdown table.</summary>
    public static string Table(IEnumerable<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder("| seed | placement | data moved (GB) | JCT p50 (h) | JCT p99 (h) | mean wait (h) | completed | wall s |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Seed} | {r.Placement} | {r.DataMovedGb:0} | {r.P50JctHours:0.00} | {r.P99JctHours:0.00} | {r.MeanWaitHours:0.00} | {r.Completed} | {r.WallSeconds:0.00} |\n");
        }

        return text.ToString();
    }

    private static Row Measure(int seed, string name, Scenario scenario, string profile)
    {
        var result = JobReplay.Run(scenario, profile);
        var o = result.Overall;
        return new Row(seed, name, o.DataMovedGb, o.P50Jct / 3600, o.P99Jct / 3600, o.MeanWait / 3600, o.Completed, result.WallSeconds);
    }
}
