using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Berth.Cli.Running;

/// <summary>
/// Runs work on a background thread and shows how far it is, with the time left: on a terminal a live bar
/// (description, bar, percentage, elapsed and remaining time), cleared at the end; otherwise, for work longer
/// than <see cref="FirstLineAfter"/>, a plain line every <see cref="ProgressView.Heartbeat"/>. All writes happen
/// on the calling thread; <c>lines</c> are printed (plain mode) as they come, e.g. "[3/45] fair-share done".
/// </summary>
public static class LongRunView
{
    public static readonly TimeSpan FirstLineAfter = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    /// <param name="fraction">How far the work is, 0 to 1 (read from another thread; need not be exact).</param>
    /// <param name="status">What it is doing now, for the bar's description.</param>
    /// <param name="lines">Plain lines to print as they come (drained on the calling thread); null for none.</param>
    public static T Run<T>(CliTerminal terminal, string title, Func<double> fraction, Func<string> status, System.Collections.Concurrent.ConcurrentQueue<string>? lines, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(fraction);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(work);
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var clock = Stopwatch.StartNew();
        if (terminal.Interactive)
        {
            terminal.Console.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask(Markup.Escape(title), maxValue: 1000);
                    while (!task.IsCompleted)
                    {
                        // Never backwards: Spectre's remaining-time estimate assumes a growing value.
                        bar.Value = Math.Max(bar.Value, 1000 * Math.Clamp(fraction(), 0, 0.999));
                        bar.Description = Markup.Escape($"{title}: {status()}");
                        ctx.Refresh();
                        ((IAsyncResult)task).AsyncWaitHandle.WaitOne(Tick);
                    }

                    bar.Value = 1000;
                });
        }
        else
        {
            var next = FirstLineAfter;
            var done = false;
            while (!done)
            {
                done = task.IsCompleted;
                while (lines is not null && lines.TryDequeue(out var line))
                {
                    terminal.Out.WriteLine(line);
                }

                if (!done && clock.Elapsed >= next)
                {
                    next = clock.Elapsed + ProgressView.Heartbeat;
                    terminal.Out.WriteLine($"... {title}: {Describe(clock.Elapsed, Math.Clamp(fraction(), 0, 1))}, {status()}");
                }

                terminal.Out.Flush();
                if (!done)
                {
                    ((IAsyncResult)task).AsyncWaitHandle.WaitOne(Tick);
                }
            }
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>"42% done, 30 s elapsed, about 40 s left" (no estimate before 2% or a second).</summary>
    public static string Describe(TimeSpan elapsed, double fraction)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{100 * fraction:F0}% done, {elapsed.TotalSeconds:F0} s elapsed");
        if (fraction < 0.02 || elapsed < TimeSpan.FromSeconds(1))
        {
            return text;
        }

        var left = elapsed.TotalSeconds * (1 - fraction) / fraction;
        return text + string.Create(CultureInfo.InvariantCulture, $", about {(left < 90 ? $"{left:F0} s" : $"{left / 60:F0} min")} left");
    }
}
