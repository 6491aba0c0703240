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
    /// <param name="alone">Also run each queue alone on its nominal quota (the sharing-safety baseline, <see cref="QueueStats.AloneMeanWait"/>); false leaves it null.</param>
    /// <param name="progress">Called from the runs' threads with (run index, events processed so far) as each run goes; runs are numbered as <see cref="RunCount"/> counts them, shared run first per profile.</param>
    public static IReadOnlyList<JobRunResult> Run(Scenario scenario, IReadOnlyList<string> profiles, int parallel, Action<string>? completed = null, CancellationToken cancellation = default, bool alone = true, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(profiles);
        var queues = alone ? scenario.Queues.Queues.Select(q => q.Name).ToArray() : [];
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
                var index = i;
                results[i] = JobReplay.Run(input, profiles[p], new JobReplayOptions
                {
                    TimelineStep = queue is null ? TimelineStep(scenario) : null,
                    Progress = progress is null ? null : new RunProgressSink(n => progress(index, n)),
                });
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
            var aloneWaits = specs.Select((s, j) => (s, j)).Where(x => x.s.Profile == specs[i].Profile && x.s.Queue is not null)
                .ToDictionary(x => x.s.Queue!, x => results[x.j].Queues.Single(q => q.Queue == x.s.Queue).MeanWait, StringComparer.Ordinal);
            var stats = shared.Queues.Select(q => q.Queue == "*" || !aloneWaits.ContainsKey(q.Queue) ? q : q with { AloneMeanWait = aloneWaits[q.Queue] }).ToArray();
            output.Add(shared with { Queues = stats, WallSeconds = shared.WallSeconds });
        }

        return output;
    }

    /// <summary>How many runs <see cref="Run"/> makes: per profile the shared run, and with <paramref name="alone"/> one per queue.</summary>
    public static int RunCount(Scenario scenario, int profiles, bool alone)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return profiles * (1 + (alone ? scenario.Queues.Queues.Count : 0));
    }

    /// <summary>Reports synchronously on the run's own thread (<see cref="Progress{T}"/> would post to a context).</summary>
    private sealed class RunProgressSink(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
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
