using System.CommandLine;
using System.Globalization;
using Berth.Cli.Running;
using Berth.Engine.Admission;
using Berth.Simulation.Input;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Spectre.Console;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth explain</c>: replays a scenario under one profile up to a moment and shows every workload
/// still waiting then: its queue, position, the one reason it waits (with the flavor, the amounts and what
/// would unblock it) and its expected start where one can be computed.
/// </summary>
internal sealed class ExplainCommand
{
    private readonly CliTerminal _terminal;

    private readonly Option<string> _scenario = new("--scenario") { Description = "The scenario file (see docs/FORMATS.md).", HelpName = "file", Required = true };

    private readonly Option<string> _at = new("--at") { Description = "The moment to look at, from the start of the run: seconds or a duration such as 90m, 6h, 2d.", HelpName = "time", Required = true };

    private readonly Option<string?> _profile = new("--profile") { Description = "The admission profile (default: the scenario's first, else fair-share+backfill).", HelpName = "name" };

    private readonly Option<string?> _queue = new("--queue") { Description = "Only this queue.", HelpName = "name" };

    private readonly Option<int> _top = new("--top") { Description = "Show at most this many workloads, in queue order (default 30).", HelpName = "n", DefaultValueFactory = _ => 30 };

    private ExplainCommand(CliTerminal terminal) => _terminal = terminal;

    public static Command Create(CliTerminal terminal)
    {
        var handler = new ExplainCommand(terminal);
        var command = new Command("explain", "Replay a scenario up to a moment and show why each workload is still waiting, its place in its queue and when it is expected to start.")
        {
            handler._scenario, handler._at, handler._profile, handler._queue, handler._top,
        };
        command.SetAction(handler.Execute);
        return command.WithExamples("""
            berth explain --scenario scenarios/demo.yaml --at 6h
                every workload waiting 6 hours into the demo scenario, under its first profile
            berth explain --scenario scenarios/itp-merged.yaml --profile strict-fifo --at 20d --queue cluster04 --top 10
                the head of one queue, 20 days into the merged ITP replay

            Reasons: QuotaExceeded, BorrowingLimitReached, NoNodeFits, GangIncomplete, WaitingForReservation,
            BlockedByReservation, QueueHeld, Backoff, Queued (not yet tried). The expected start assumes no
            new arrivals and that running jobs end at their expected run time. Exit codes: 0 done; 2 bad input.
            """);
    }

    private int Execute(ParseResult parse)
    {
        var path = parse.GetValue(_scenario)!;
        var atText = parse.GetValue(_at)!;
        if (!ScenarioUnits.TryParseDuration(atText, out var at) || at < TimeSpan.Zero)
        {
            throw new InputException($"--at '{atText}': give a time from the start of the run, such as 3600, 90m, 6h or 2d");
        }

        var top = parse.GetValue(_top);
        if (top < 1)
        {
            throw new InputException($"--top {top}: show at least 1");
        }

        var scenario = ScenarioReader.Read(path);
        var profile = parse.GetValue(_profile) ?? (scenario.Profiles.Count > 0 ? scenario.Profiles[0] : "fair-share+backfill");
        ScenarioRun.ParseProfiles(profile, scenario);
        var queue = parse.GetValue(_queue);
        if (queue is not null && scenario.Queues.Queues.All(q => q.Name != queue))
        {
            throw new InputException($"--queue '{queue}' is not a queue of {scenario.Name}; its queues are {string.Join(", ", scenario.Queues.Queues.Select(q => q.Name))}");
        }

        var rows = new List<(int Queue, int Position, WorkloadState W, PendingReason Reason, TimeSpan? Start)>();
        var running = 0;
        JobReplay.Run(scenario with { Horizon = at }, profile, new JobReplayOptions
        {
            AtEnd = scheduler =>
            {
                running = scheduler.Workloads.Count(w => w.Phase == WorkloadPhase.Admitted);
                var starts = scheduler.EstimateStarts();
                var position = new Dictionary<int, int>();
                foreach (var w in scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Pending && (queue is null || w.Workload.Queue == queue)))
                {
                    rows.Add((w.QueueIndex, scheduler.PositionInQueue(w.Id) ?? 0, w, scheduler.ReasonOf(w), starts.TryGetValue(w.Id, out var s) ? s : null));
                }
            },
        });
        rows.Sort((a, b) => a.Position != b.Position ? a.Position.CompareTo(b.Position) : a.Queue.CompareTo(b.Queue));
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{scenario.Name} · {profile} · at {ScenarioUnits.Format(at)} · {running} running, {rows.Count} waiting{(queue is null ? string.Empty : $" in {queue}")}"));
        foreach (var header in new[] { "queue", "pos", "workload", "GPUs", "waiting", "reason", "expected start", "why, and what would unblock it" })
        {
            table.AddColumn(new TableColumn(header));
        }

        foreach (var (_, position, w, reason, start) in rows.Take(top))
        {
            table.AddRow(
                Markup.Escape(w.Workload.Queue),
                position.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(w.Id),
                (w.Workload.Request.GpuMilli / 1000.0).ToString("0.###", CultureInfo.InvariantCulture),
                Markup.Escape(Human(at - w.Workload.SubmitTime)),
                Markup.Escape(reason.Code.ToString()),
                start is { } s ? Markup.Escape(s <= at ? "now" : $"in {Human(s - at)}") : "-",
                Markup.Escape(reason.ToString()[(reason.Code.ToString().Length + 2)..]));
        }

        _terminal.Console.Write(table);
        if (rows.Count > top)
        {
            _terminal.Out.WriteLine($"... and {rows.Count - top} more (--top to show more, --queue to pick one queue).");
        }

        return ExitCodes.Success;
    }

    /// <summary>A duration as people say it: 45s, 12m, 3h49m, 2d5h.</summary>
    internal static string Human(TimeSpan t)
    {
        var s = (long)Math.Max(0, t.TotalSeconds);
        return s switch
        {
            < 60 => $"{s}s",
            < 3600 => $"{s / 60}m",
            < 86_400 => s % 3600 / 60 == 0 ? $"{s / 3600}h" : $"{s / 3600}h{s % 3600 / 60}m",
            _ => s % 86_400 / 3600 == 0 ? $"{s / 86_400}d" : $"{s / 86_400}d{s % 86_400 / 3600}h",
        };
    }
}
