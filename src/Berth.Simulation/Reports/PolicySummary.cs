using Berth.Simulation.Metrics;

namespace Berth.Simulation.Reports;

/// <summary>The runs of one policy on one trace, summarised over seeds: the rows of the terminal table and the report's table.</summary>
public sealed record PolicySummary
{
    public required string Trace { get; init; }

    public required string Policy { get; init; }

    public required IReadOnlyList<int> Seeds { get; init; }

    public required Stat AllocAt100 { get; init; }

    public required Stat AllocAt130 { get; init; }

    public required Stat FragAt100 { get; init; }

    public required Stat FailedPods { get; init; }

    public required Stat WallSeconds { get; init; }

    /// <summary>
    /// One summary per (trace, policy), in the order the pairs first appear in <paramref name="runs"/>
    /// (the CLI orders runs by trace, policy as given, seed).
    /// </summary>
    public static IReadOnlyList<PolicySummary> Summarize(IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return Group(runs)
            .Select(g => new PolicySummary
            {
                Trace = g.Trace,
                Policy = g.Policy,
                Seeds = g.Runs.Select(r => r.Seed).ToArray(),
                AllocAt100 = Stat.Of(g.Runs.Select(r => r.AllocAt100)),
                AllocAt130 = Stat.Of(g.Runs.Select(r => r.AllocAt130)),
                FragAt100 = Stat.Of(g.Runs.Select(r => r.FragAt100)),
                FailedPods = Stat.Of(g.Runs.Select(r => (double)r.FailedPods)),
                WallSeconds = Stat.Of(g.Runs.Select(r => r.WallSeconds)),
            })
            .ToArray();
    }

    /// <summary>Runs grouped by (trace, policy) in first-appearance order; runs keep their order inside a group.</summary>
    internal static IReadOnlyList<(string Trace, string Policy, IReadOnlyList<RunResult> Runs)> Group(IEnumerable<RunResult> runs)
    {
        var order = new List<(string Trace, string Policy)>();
        var groups = new Dictionary<(string, string), List<RunResult>>();
        foreach (var run in runs)
        {
            var key = (run.Trace, run.Policy);
            if (!groups.TryGetValue(key, out var list))
            {
                list = [];
                groups.Add(key, list);
                order.Add(key);
            }

            list.Add(run);
        }

        return order.Select(k => (k.Trace, k.Policy, (IReadOnlyList<RunResult>)groups[k])).ToArray();
    }
}
