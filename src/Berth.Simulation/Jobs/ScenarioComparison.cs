using System.Runtime.ExceptionServices;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Jobs;

/// <summary>
/// Runs a scenario under several profiles, and for sharing safety each queue alone on its nominal quota
/// under the same profile, at most <c>parallel</c> runs at a time. Results come back in profile order,
/// each with every queue's alone mean wait filled in.
/// </summary>
public static class ScenarioComparison
{
    public static IReadOnlyList<JobRunResult> Run(Scenario scenario, IReadOnlyList<string> profiles, int parallel, Action<string>? completed = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(profiles);
        var queues = scenario.Queues.Queues.Select(q => q.Name).ToArray();
        var specs = new List<(int Profile, string? Queue)>();
        for (var p = 0; p < profiles.Count; p++)
        {
            specs.Add((p, null));
            specs.AddRange(queues.Select(q => (p, (string?)q)));
        }

        // Longest first: the shared runs, then the alone runs.
        var results = new JobRunResult[specs.Count];
        try
        {
            Parallel.For(0, specs.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel), CancellationToken = cancellation }, i =>
            {
                var (p, queue) = specs[i];
                var input = queue is null ? scenario : AloneScenario.For(scenario, queue);
                results[i] = JobReplay.Run(input, profiles[p], new JobReplayOptions { TimelineStep = queue is null ? TimelineStep(scenario) : null });
                completed?.Invoke(queue is null ? profiles[p] : $"{profiles[p]} ({queue} alone)");
            });
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }

        var output = new List<JobRunResult>();
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].Queue is not null)
            {
                continue;
            }

            var shared = results[i];
            var alone = specs.Select((s, j) => (s, j)).Where(x => x.s.Profile == specs[i].Profile && x.s.Queue is not null)
                .ToDictionary(x => x.s.Queue!, x => results[x.j].Queues.Single(q => q.Queue == x.s.Queue).MeanWait, StringComparer.Ordinal);
            var stats = shared.Queues.Select(q => q.Queue == "*" ? q : q with { AloneMeanWait = alone[q.Queue] }).ToArray();
            output.Add(shared with { Queues = stats, WallSeconds = shared.WallSeconds });
        }

        return output;
    }

    /// <summary>About 400 samples over the scenario's submit span (at least a minute apart).</summary>
    public static TimeSpan TimelineStep(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.Workloads.Count == 0)
        {
            return TimeSpan.FromMinutes(1);
        }

        var span = scenario.Workloads.Max(w => w.SubmitTime + (w.Duration ?? TimeSpan.Zero)) - scenario.Workloads.Min(w => w.SubmitTime);
        return TimeSpan.FromSeconds(Math.Max(60, Math.Ceiling(span.TotalSeconds / 400)));
    }
}
