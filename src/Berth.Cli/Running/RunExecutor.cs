using System.Runtime.ExceptionServices;
using Berth.Simulation.Inflation;
using Berth.Simulation.Metrics;
using Berth.Simulation.Replay;

namespace Berth.Cli.Running;

/// <summary>
/// Runs every (trace, policy, seed) with at most <c>parallel</c> runs at a time, each on one thread, and
/// returns the results in the order of <c>runs</c> whatever order they finish in.
/// </summary>
public static class RunExecutor
{
    public static IReadOnlyList<RunResult> Execute(
        IReadOnlyList<RunSpec> runs,
        string mode,
        double targetPercent,
        int parallel,
        RunProgress progress,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(progress);
        var results = new RunResult[runs.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel), CancellationToken = cancellation };
        try
        {
            Parallel.For(0, runs.Count, options, i =>
            {
                progress.Started(i);
                var result = RunOne(runs[i], mode, targetPercent, (done, total) =>
                {
                    // Checked per pod so Ctrl+C stops a long run within milliseconds.
                    cancellation.ThrowIfCancellationRequested();
                    progress.Report(i, done, total);
                });
                results[i] = result;
                progress.Completed(i, result);
            });
        }
        catch (AggregateException e)
        {
            var inner = e.Flatten().InnerExceptions;
            var first = inner.FirstOrDefault(x => x is not OperationCanceledException) ?? inner[0];
            ExceptionDispatchInfo.Capture(first).Throw();
        }

        return results;
    }

    private static RunResult RunOne(RunSpec run, string mode, double targetPercent, Action<int, int> report) =>
        mode == "replay"
            ? ReplayExperiment.Run(run.Input, run.Policy, run.Seed, new ReplayOptions { Progress = report })
            : InflationExperiment.Run(run.Input, run.Policy, run.Seed, new InflationOptions { TargetPercent = targetPercent, Progress = report });
}
