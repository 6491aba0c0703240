using System.Globalization;
using System.Text;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Jobs;

/// <summary>
/// Lost work under spot reclaims, with and without checkpoint-aware placement: the same scenario (its
/// <c>spotReclaims</c> process, same seed) replayed twice. Checkpoint-aware: only workloads that checkpoint may go to a
/// spot flavor (unless they say <c>toleratesSpot</c> themselves); anywhere: every workload may. Lost work is the GPU
/// time since the last checkpoint of every workload a reclaim (or anything else) sent back.
/// </summary>
public static class SpotComparison
{
    /// <summary>One replay's figures.</summary>
    public sealed record Row(string Placement, double LostGpuHours, int Evictions, int Completed, double MeanJctHours);

    public static IReadOnlyList<Row> Run(Scenario scenario, string profile)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.SpotReclaims is null)
        {
            throw new ArgumentException($"scenario {scenario.Name} has no spotReclaims; add 'spotReclaims: {{ratePerHour: 0.1}}' to compare placements under reclaims", nameof(scenario));
        }

        var aware = scenario with { Workloads = scenario.Workloads.Select(w => w with { ToleratesSpot = w.ToleratesSpot ?? w.CheckpointInterval is not null }).ToArray() };
        var anywhere = scenario with { Workloads = scenario.Workloads.Select(w => w with { ToleratesSpot = true }).ToArray() };
        return [Measure("checkpoint-aware", aware, profile), Measure("anywhere", anywhere, profile)];
    }

    /// <summary>The rows as a markdown table.</summary>
    public static string Table(IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder("| placement on spot | lost GPU-hours | evictions | completed | mean JCT (h) |\n|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Placement} | {r.LostGpuHours:0.0} | {r.Evictions} | {r.Completed} | {r.MeanJctHours:0.00} |\n");
        }

        return text.ToString();
    }

    private static Row Measure(string name, Scenario scenario, string profile)
    {
        var result = JobReplay.Run(scenario, profile);
        var done = result.Jobs.Where(j => j.Outcome == JobOutcome.Completed).ToArray();
        return new Row(name, result.Overall.LostGpuHours, result.Jobs.Sum(j => j.Evictions), done.Length, done.Length == 0 ? 0 : done.Average(j => j.Jct!.Value.TotalHours));
    }
}
