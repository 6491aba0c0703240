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

    private readonly Option<string?> _profile = new("--profile") { Description = "The admission profile, built-in or defined by the scenario (default: the scenario's first, else fair-share+backfill).", HelpName = "name" };

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
        return command.WithExamples($$"""
            berth explain --scenario scenarios/demo.yaml --at 6h
                every workload waiting 6 hours into the demo scenario, under its first profile
            berth explain --scenario scenarios/itp-merged.yaml --profile strict-fifo --at 20d --queue cluster04 --top 10
                the head of one queue, 20 days into the merged ITP replay

            The expected start assumes no new arrivals and that running jobs end at their expected run time.
            Exit codes: 0 done; 2 bad input; 1 unexpected failure.

            Reasons (one per waiting workload):
            {{ReasonHelp()}}
            """);
    }

    /// <summary>What each reason code means, for the help: every code of <see cref="PendingReasonCode"/>, none left out.</summary>
    internal static string ReasonHelp()
    {
        var width = Enum.GetNames<PendingReasonCode>().Max(n => n.Length) + 2;
        return string.Join('\n', Enum.GetValues<PendingReasonCode>().Select(code => "  " + code.ToString().PadRight(width) + ReasonMeaning(code)));
    }

    private static string ReasonMeaning(PendingReasonCode code) => code switch
    {
        PendingReasonCode.Queued => "not yet tried by an admission cycle",
        PendingReasonCode.QuotaExceeded => "its queue, with what it may borrow, has too little quota left in every flavor",
        PendingReasonCode.BorrowingLimitReached => "the cohort has the quota, but the queue's borrowing limit stops it",
        PendingReasonCode.NoNodeFits => "quota is there, but none of its pods fits on a node of the flavor now",
        PendingReasonCode.GangIncomplete => "some of its pods fit but not all (or not its min count): a gang starts whole",
        PendingReasonCode.WaitingForReservation => "the starving head: nodes are reserved for it until they free",
        PendingReasonCode.BlockedByReservation => "it fits only on nodes reserved for a starving workload and would not end in time",
        PendingReasonCode.QueueHeld => "its queue holds new admissions (stop policy)",
        PendingReasonCode.BehindHead => "its StrictFIFO queue's head has not been admitted yet",
        PendingReasonCode.Backoff => "requeued after its gang did not become ready; waits out a backoff",
        PendingReasonCode.NeverFits => "larger than its queue could ever hold, or than any node of its flavors",
        _ => code.ToString(),
    };

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
        SharingSupport.EnsureSimulatable(path, scenario.Workloads.SelectMany(w => w.PodSets).Select(s => s.Template));
        var profile = parse.GetValue(_profile) ?? (scenario.Profiles.Count > 0 ? scenario.Profiles[0] : "fair-share+backfill");
        if (profile.Contains(',', StringComparison.Ordinal) || profile.Trim() == "all")
        {
            throw new InputException($"--profile '{profile}': explain replays one profile; name one of {ScenarioRun.KnownNames(scenario)}");
        }

        ScenarioRun.ParseProfiles(profile, scenario, "--profile");
        var queue = parse.GetValue(_queue);
        if (queue is not null && scenario.Queues.Queues.All(q => q.Name != queue))
        {
            throw new InputException($"--queue '{queue}' is not a queue of {scenario.Name}; its queues are {string.Join(", ", scenario.Queues.Queues.Select(q => q.Name))}");
        }

        var rows = new List<(int Queue, int Position, WorkloadState W, PendingReason Reason, TimeSpan? Start)>();
        var running = 0;
        // A replay up to a late moment of a large scenario takes a while: a bar with the time left, estimated from
        // the events processed against an arrival and an end per workload submitted by then.
        var expected = Math.Max(1, 2.0 * scenario.Workloads.Count(w => w.SubmitTime <= at));
        var processed = 0;
        LongRunView.Run(_terminal, $"replaying {scenario.Name} to {ScenarioUnits.Format(at)}", () => Volatile.Read(ref processed) / expected, () => profile, null, () => JobReplay.Run(scenario with { Horizon = at }, profile, new JobReplayOptions
        {
            Progress = new Progress(n => Volatile.Write(ref processed, n)),
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
        }));
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

    /// <summary>Reports on the replay's own thread (<see cref="Progress{T}"/> would post to a context).</summary>
    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
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
