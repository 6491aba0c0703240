using System.Globalization;
using Berth.Engine.Admission;
using Berth.Simulation.Input;
using Berth.Simulation.Jobs;
using Berth.Simulation.Reports;
using Berth.Simulation.Scenarios;
using Spectre.Console;

namespace Berth.Cli.Running;

/// <summary>
/// <c>berth simulate --scenario FILE</c>: 1. read and check the scenario and the profiles; 2. stage the
/// output folder; 3. run every profile on the shared cluster and every queue alone on its quota, with a
/// progress bar; 4. write summary.csv and report.html and move them into place; 5. print the tables.
/// </summary>
public static class ScenarioRun
{
    public static readonly IReadOnlyList<string> DefaultProfiles = ["strict-fifo", "fair-share", "fair-share+backfill"];

    public static int Execute(CliTerminal terminal, string path, string? profilesOption, string? outPath, int parallel, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(terminal);

        // 1. Inputs.
        var scenario = ScenarioReader.Read(path);
        var profiles = ParseProfiles(profilesOption, scenario);
        if (outPath is null)
        {
            throw new InputException("--out is required: the folder to write summary.csv and report.html into (e.g. --out results)");
        }

        Run(terminal, scenario, profiles, outPath, parallel, commandLine);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Steps 2 to 5 for a scenario read and checked by the caller (a scenario file, or a snapshot of a live
    /// cluster): with <paramref name="outPath"/> null nothing is written, the tables are only printed.
    /// </summary>
    public static IReadOnlyList<JobRunResult> Run(CliTerminal terminal, Scenario scenario, IReadOnlyList<string> profiles, string? outPath, int parallel, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(profiles);
        foreach (var note in scenario.Notes)
        {
            terminal.Out.WriteLine(note);
        }

        // 2. Stage.
        using var output = outPath is null ? null : OutputFolder.Create(outPath);

        // 3. Run.
        var total = profiles.Count * (1 + scenario.Queues.Queues.Count);
        var started = TimeProvider.System.GetTimestamp();
        IReadOnlyList<JobRunResult> results = [];
        var done = 0;
        if (terminal.Interactive)
        {
            terminal.Console.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape($"{total} runs ({profiles.Count} profiles, each shared and per queue alone)"), maxValue: total);
                    results = ScenarioComparison.Run(scenario, profiles, parallel, name =>
                    {
                        task.Increment(1);
                        task.Description = Markup.Escape($"{Interlocked.Increment(ref done)}/{total} runs; last: {name}");
                    }, terminal.Cancellation);
                });
        }
        else
        {
            results = ScenarioComparison.Run(scenario, profiles, parallel, name =>
            {
                var n = Interlocked.Increment(ref done);
                lock (terminal.Out)
                {
                    terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{n}/{total}] {name} done ({TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s)"));
                }
            }, terminal.Cancellation);
        }

        var elapsed = TimeProvider.System.GetElapsedTime(started);

        // 4. Write.
        if (output is not null)
        {
            using (var writer = new StreamWriter(output.StagingPath(ScenarioSummaryCsv.FileName)))
            {
                ScenarioSummaryCsv.Write(writer, results);
            }

            File.WriteAllText(output.StagingPath(ScenarioHtmlReport.FileName), ScenarioHtmlReport.Render(scenario, results, commandLine));
            output.Commit();
        }

        // 5. Tables.
        terminal.Console.Write(Table(scenario, results));
        terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} runs in {elapsed.TotalSeconds:F1} s, {Math.Min(parallel, total)} at a time."));
        if (output is not null)
        {
            terminal.Out.WriteLine($"Wrote {ScenarioSummaryCsv.FileName}, {ScenarioHtmlReport.FileName} to {output.Destination}");
            terminal.Out.WriteLine($"Open {Path.Combine(output.Destination, ScenarioHtmlReport.FileName)} in a browser for the charts.");
        }

        return results;
    }

    public static IReadOnlyList<string> ParseProfiles(string? option, Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var names = option is null
            ? (scenario.Profiles.Count > 0 ? scenario.Profiles : DefaultProfiles)
            : option.Trim() == "all"
                ? AdmissionProfiles.Names
                : option.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();
        if (names.Count == 0)
        {
            throw new InputException("--profiles is empty; name one or more, e.g. --profiles strict-fifo,fair-share+backfill");
        }

        foreach (var name in names)
        {
            if (!AdmissionProfiles.IsKnown(name))
            {
                throw new InputException($"--profiles: unknown profile '{name}'; choose among {string.Join(", ", AdmissionProfiles.Names)}, or 'all'");
            }
        }

        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new InputException("--profiles names a profile twice; name each once");
        }

        return names;
    }

    private static Table Table(Scenario scenario, IReadOnlyList<JobRunResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{scenario.Name} · {scenario.Workloads.Count} workloads · {scenario.Nodes.Sum(n => n.GpuCount)} GPUs · whole cluster"));
        table.AddColumn(new TableColumn("profile").NoWrap());
        foreach (var header in new[] { "done", "left", "JCT h", "wait h", "p99 wait h", "alloc %", "idle gang GPU-h", "preempted", "lost GPU-h", "safe queues", "wall s" })
        {
            table.AddColumn(new TableColumn(header).RightAligned().NoWrap());
        }

        var bestWait = results.Select(r => r.Overall.MeanWait).DefaultIfEmpty(0).Min();
        foreach (var run in results)
        {
            var o = run.Overall;
            var queues = run.Queues.Take(run.Queues.Count - 1).ToArray();
            var safe = queues.Count(q => q.AloneMeanWait is not { } a || q.MeanWait <= a);
            var wait = Hours(o.MeanWait);
            table.AddRow(
                Markup.Escape(run.Profile),
                o.Completed.ToString(CultureInfo.InvariantCulture),
                o.Unfinished.ToString(CultureInfo.InvariantCulture),
                Hours(o.MeanJct),
                results.Count > 1 && o.MeanWait == bestWait ? $"[bold green]{wait}[/]" : wait,
                Hours(o.P99Wait),
                o.GpuAllocPct.ToString("F2", CultureInfo.InvariantCulture),
                o.IdleGangGpuHours.ToString("F1", CultureInfo.InvariantCulture),
                o.Preemptions.ToString(CultureInfo.InvariantCulture),
                o.LostGpuHours.ToString("F1", CultureInfo.InvariantCulture),
                $"{safe}/{queues.Length}",
                run.WallSeconds.ToString("F1", CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static string Hours(double seconds) => (seconds / 3600).ToString("F2", CultureInfo.InvariantCulture);
}
