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

    public static int Execute(CliTerminal terminal, string path, string? profilesOption, string? outPath, int parallel, string commandLine, bool alone = true)
    {
        ArgumentNullException.ThrowIfNull(terminal);

        // 1. Inputs.
        var scenario = ScenarioReader.Read(path);
        SharingSupport.EnsureSimulatable(path, scenario.Workloads.SelectMany(w => w.PodSets).Select(s => s.Template));
        var profiles = ParseProfiles(profilesOption, scenario);
        if (outPath is null)
        {
            throw new InputException("--out is required: the folder to write summary.csv and report.html into (e.g. --out results)");
        }

        Run(terminal, scenario, profiles, outPath, parallel, commandLine, alone);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Steps 2 to 5 for a scenario read and checked by the caller (a scenario file, or a snapshot of a live
    /// cluster): with <paramref name="outPath"/> null nothing is written, the tables are only printed.
    /// </summary>
    /// <param name="alone">Also run each queue alone on its quota (the sharing-safety column); off with --no-alone.</param>
    public static IReadOnlyList<JobRunResult> Run(CliTerminal terminal, Scenario scenario, IReadOnlyList<string> profiles, string? outPath, int parallel, string commandLine, bool alone = true)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(profiles);
        foreach (var note in scenario.Notes)
        {
            terminal.Out.WriteLine(note);
        }

        if (alone && scenario.Queues.Queues.Count > 0 && !scenario.NodeGroups.Any(g => g.GpusPerNode > 0))
        {
            throw new InputException($"{scenario.File}: scenario {scenario.Name} has no GPU node group, which the per-queue alone runs size their clusters from; add one, or give --no-alone");
        }

        // 2. Stage.
        using var output = outPath is null ? null : OutputFolder.Create(outPath);

        // 3. Run, with a bar (or plain lines) showing how far: each run's events processed against an estimate
        // of its events (an arrival and an end per workload), finished runs counting whole.
        var total = ScenarioComparison.RunCount(scenario, profiles.Count, alone);
        var expected = new double[total];
        var queueSizes = scenario.Workloads.GroupBy(w => w.Queue).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        for (var p = 0; p < profiles.Count; p++)
        {
            var first = p * (total / profiles.Count);
            expected[first] = Math.Max(1, 2.0 * scenario.Workloads.Count);
            for (var q = 0; alone && q < scenario.Queues.Queues.Count; q++)
            {
                expected[first + 1 + q] = Math.Max(1, 2.0 * queueSizes.GetValueOrDefault(scenario.Queues.Queues[q].Name));
            }
        }

        var processed = new int[total];
        var started = TimeProvider.System.GetTimestamp();
        var done = 0;
        var last = string.Empty;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        double Fraction() => Enumerable.Range(0, total).Sum(i => Math.Min(1, Volatile.Read(ref processed[i]) / expected[i])) / total;
        var what = alone ? $"{total} runs ({profiles.Count} profiles, each shared and per queue alone)" : $"{total} runs ({profiles.Count} profiles; --no-alone)";
        if (!terminal.Interactive)
        {
            terminal.Out.WriteLine($"running {what}, {Math.Min(parallel, total)} at a time");
        }

        var results = LongRunView.Run(terminal, "scenario", Fraction, () => $"{Volatile.Read(ref done)}/{total} runs done{(last.Length > 0 ? $", last {last}" : string.Empty)}", lines, () =>
            ScenarioComparison.Run(scenario, profiles, parallel, name =>
            {
                var n = Interlocked.Increment(ref done);
                last = name;
                lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"[{n}/{total}] {name} done ({TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s)"));
            }, terminal.Cancellation, alone, (run, events) => Volatile.Write(ref processed[run], events)));
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        // 4. Write.
        if (output is not null)
        {
            using (var writer = new StreamWriter(output.StagingPath(ScenarioSummaryCsv.FileName)))
            {
                ScenarioSummaryCsv.Write(writer, results);
            }

            using (var writer = new StreamWriter(output.StagingPath(RightSizingCsv.FileName)))
            {
                RightSizingCsv.Write(writer, results, ScenarioHtmlReport.GpuModel(scenario));
            }

            using (var writer = new StreamWriter(output.StagingPath(ShowbackCsv.FileName)))
            {
                ShowbackCsv.Write(writer, results, ScenarioHtmlReport.GpuModel(scenario), scenario.Prices);
            }

            File.WriteAllText(output.StagingPath(ScenarioHtmlReport.FileName), ScenarioHtmlReport.Render(scenario, results, commandLine));
            output.Commit();
        }

        // 5. Tables.
        terminal.Console.Write(Table(scenario, results, alone));
        terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} runs in {elapsed.TotalSeconds:F1} s, {Math.Min(parallel, total)} at a time."));
        if (output is not null)
        {
            terminal.Out.WriteLine($"Wrote {ScenarioSummaryCsv.FileName}, {RightSizingCsv.FileName}, {ShowbackCsv.FileName}, {ScenarioHtmlReport.FileName} to {output.Destination}");
            terminal.Out.WriteLine($"Open {Path.Combine(output.Destination, ScenarioHtmlReport.FileName)} in a browser for the charts.");
        }

        return results;
    }

    /// <summary>
    /// The profiles to run: <paramref name="option"/> (names separated by commas, or <c>all</c>: the built-in ones and
    /// the scenario's own), else the scenario's <c>profiles</c>, else <see cref="DefaultProfiles"/>. Names resolve
    /// through <see cref="ScenarioProfiles"/>, so a scenario's <c>admissionProfiles</c> count as known.
    /// </summary>
    /// <param name="optionName">The option as the user typed it, for messages: --profiles, or explain's --profile.</param>
    public static IReadOnlyList<string> ParseProfiles(string? option, Scenario scenario, string optionName = "--profiles")
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var names = option is null
            ? (scenario.Profiles.Count > 0 ? scenario.Profiles : DefaultProfiles)
            : option.Trim() == "all"
                ? ScenarioProfiles.Names(scenario)
                : option.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();
        if (names.Count == 0)
        {
            throw new InputException($"{optionName} is empty; name one or more, e.g. {optionName} strict-fifo,fair-share+backfill");
        }

        foreach (var name in names)
        {
            if (!ScenarioProfiles.IsKnown(scenario, name))
            {
                throw new InputException($"{optionName}: unknown profile '{name}'; choose among {KnownNames(scenario)}{(optionName == "--profiles" ? ", or 'all'" : string.Empty)}");
            }
        }

        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            throw new InputException($"{optionName} names a profile twice; name each once");
        }

        return names;
    }

    /// <summary>The names a user may pass for <paramref name="scenario"/>, its own ones marked as defined by its file.</summary>
    public static string KnownNames(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var builtIn = string.Join(", ", AdmissionProfiles.Names);
        return scenario.OwnProfiles.Count == 0
            ? builtIn
            : $"{builtIn}; defined by the scenario (admissionProfiles): {string.Join(", ", scenario.OwnProfiles.Select(p => p.Name))}";
    }

    private static Table Table(Scenario scenario, IReadOnlyList<JobRunResult> results, bool alone)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{scenario.Name} · {scenario.Workloads.Count} workloads · {scenario.Nodes.Sum(n => n.GpuCount)} GPUs · whole cluster"));
        table.AddColumn(new TableColumn("profile").NoWrap());
        foreach (var header in new[] { "done", "left", "JCT h", "wait h", "p99 wait h", "alloc %", "yield %", "idle gang GPU-h", "preempted", "lost GPU-h", "safe queues", "wall s" })
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
                o.GpuYieldPct.ToString("F2", CultureInfo.InvariantCulture),
                o.IdleGangGpuHours.ToString("F1", CultureInfo.InvariantCulture),
                o.Preemptions.ToString(CultureInfo.InvariantCulture),
                o.LostGpuHours.ToString("F1", CultureInfo.InvariantCulture),
                alone ? $"{safe}/{queues.Length}" : "-",
                run.WallSeconds.ToString("F1", CultureInfo.InvariantCulture));
        }

        return table;
    }

    private static string Hours(double seconds) => (seconds / 3600).ToString("F2", CultureInfo.InvariantCulture);
}
