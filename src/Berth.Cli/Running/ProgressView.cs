using System.Diagnostics;
using System.Globalization;
using Berth.Simulation.Metrics;
using Spectre.Console;

namespace Berth.Cli.Running;

/// <summary>
/// Shows the progress of the runs while <c>work</c> executes on a background thread. On a terminal: a live
/// Spectre progress display (overall bar plus one bar per run in flight), cleared at the end. Otherwise
/// (redirected output, CI): plain lines, one per finished run (up to <see cref="PlainLinesUpTo"/> runs) and a heartbeat.
/// All writes happen on the calling thread.
/// </summary>
public static class ProgressView
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>With more runs than this, plain output shows only the heartbeat, not a line per run.</summary>
    public const int PlainLinesUpTo = 100;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    public static IReadOnlyList<RunResult> Run(CliTerminal terminal, IReadOnlyList<RunSpec> runs, int parallel, RunProgress progress, Func<IReadOnlyList<RunResult>> work)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(work);
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (terminal.Interactive)
        {
            Live(terminal, runs, parallel, progress, task);
        }
        else
        {
            Plain(terminal, runs, parallel, progress, task);
        }

        return task.GetAwaiter().GetResult();
    }

    private static void Live(CliTerminal terminal, IReadOnlyList<RunSpec> runs, int parallel, RunProgress progress, Task task)
    {
        terminal.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                // No remaining-time column: the per-run bars are reused as runs come and go, so their values go
                // down as well as up, which Spectre's speed estimate does not allow. The overall ETA is computed here.
                var clock = Stopwatch.StartNew();
                var overall = ctx.AddTask(Markup.Escape($"{runs.Count} runs"), maxValue: 1000);
                var slots = Enumerable.Range(0, Math.Min(parallel, runs.Count)).Select(_ => ctx.AddTask("  [grey]waiting[/]", maxValue: 1000)).ToArray();
                while (!task.IsCompleted)
                {
                    var fraction = progress.Overall();
                    overall.Value = 1000 * fraction;
                    overall.Description = Markup.Escape($"{progress.Finished}/{runs.Count} runs done, {Eta(clock.Elapsed, fraction)}");
                    var slot = 0;
                    for (var i = 0; i < runs.Count && slot < slots.Length; i++)
                    {
                        if (progress.IsRunning(i))
                        {
                            slots[slot].Description = "  " + Markup.Escape(runs[i].Label);
                            slots[slot].Value = 1000 * progress.Fraction(i);
                            slot++;
                        }
                    }

                    for (; slot < slots.Length; slot++)
                    {
                        slots[slot].Description = "  [grey]waiting[/]";
                        slots[slot].Value = 0;
                    }

                    ctx.Refresh();
                    Pause(task);
                }

                overall.Value = 1000;
            });
    }

    private static void Plain(CliTerminal terminal, IReadOnlyList<RunSpec> runs, int parallel, RunProgress progress, Task task)
    {
        var output = terminal.Out;
        var clock = Stopwatch.StartNew();
        var lastBeat = TimeSpan.Zero;
        var reported = new bool[runs.Count];
        var width = runs.Count.ToString(CultureInfo.InvariantCulture).Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"running {runs.Count} run{(runs.Count == 1 ? string.Empty : "s")}, {Math.Min(parallel, runs.Count)} at a time"));
        var done = false;
        while (!done)
        {
            // Read completion before the loop condition so the last results are printed after the task ends.
            done = task.IsCompleted;
            for (var i = 0; i < runs.Count; i++)
            {
                if (!reported[i] && progress.Result(i) is { } result)
                {
                    reported[i] = true;
                    if (runs.Count > PlainLinesUpTo)
                    {
                        continue;
                    }

                    var finished = reported.Count(r => r);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{finished.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{runs.Count}] {runs[i].Label}: alloc@100 {Percent(result.AllocAt100)}, failed {result.FailedPods}, {result.WallSeconds:F2} s"));
                }
            }

            if (!done && clock.Elapsed - lastBeat >= (runs.Count > PlainLinesUpTo ? Heartbeat / 3 : Heartbeat))
            {
                lastBeat = clock.Elapsed;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"... {LongRunView.Describe(clock.Elapsed, progress.Overall())}; {progress.Finished}/{runs.Count} runs"));
            }

            output.Flush();
            if (!done)
            {
                Pause(task);
            }
        }
    }

    private static string Eta(TimeSpan elapsed, double fraction)
    {
        if (fraction < 0.02 || elapsed < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:F0} s");
        }

        var left = elapsed.TotalSeconds * (1 - fraction) / fraction;
        return string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:F0} s, about {(left < 90 ? $"{left:F0} s" : $"{left / 60:F0} min")} left");
    }

    /// <summary>Waits one tick or until the task ends; never throws (the caller reads the task's outcome).</summary>
    private static void Pause(Task task) => ((IAsyncResult)task).AsyncWaitHandle.WaitOne(Tick);

    private static string Percent(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) + "%" : "n/a";
}
