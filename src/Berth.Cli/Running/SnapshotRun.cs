using System.Globalization;
using Berth.Kubernetes.Controller;
using Berth.Kubernetes.Snapshots;
using Berth.Simulation.Snapshots;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;
using Spectre.Console;

namespace Berth.Cli.Running;

/// <summary>
/// <c>berth simulate --snapshot FILE</c>: 1. read the snapshot and turn it into a scenario (what-if quotas
/// applied, running workloads in place at time 0, pending ones submitted at time 0); 2. run it under every
/// profile through the same pipeline as a scenario file; 3. print when each pending workload would start.
/// </summary>
public static class SnapshotRun
{
    /// <summary>Most pending workloads listed in the start table; the rest are counted.</summary>
    public const int StartRows = 50;

    public static int Execute(CliTerminal terminal, string path, string? profilesOption, SnapshotSimulationOptions options, string? outPath, int parallel, string commandLine, bool alone = true)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(options);

        // 1. Inputs.
        var (snapshot, source) = SnapshotFile.Read(path);
        var scenario = ScenarioOf(snapshot, options, Path.GetFileNameWithoutExtension(path)) with { File = path };
        var profiles = ScenarioRun.ParseProfiles(profilesOption, scenario);
        var where = source.Context ?? source.Server ?? "an unnamed cluster";
        terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Snapshot of {where} taken {snapshot.Now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: {scenario.Nodes.Count} nodes, {scenario.Nodes.Sum(n => n.GpuCount)} GPUs, {scenario.Queues.Queues.Count} queues, {scenario.Running.Count} running, {scenario.Workloads.Count} pending."));

        // 2. Run.
        var results = ScenarioRun.Run(terminal, scenario, profiles, outPath, parallel, commandLine, alone);

        // 3. Starts.
        terminal.Console.Write(StartTable(scenario, results));
        if (scenario.Workloads.Count > StartRows)
        {
            terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"... and {scenario.Workloads.Count - StartRows} more pending workloads{(outPath is null ? string.Empty : "; report.html has them all")}."));
        }

        return ExitCodes.Success;
    }

    /// <summary>The snapshot read as the controller reads it (the neutral view), then turned into a scenario by the simulator's bridge.</summary>
    public static Scenario ScenarioOf(ClusterSnapshot snapshot, SnapshotSimulationOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        var view = DecisionPlanner.Read(snapshot, new ControllerOptions { DefaultQueue = options.DefaultQueue });
        return SnapshotScenario.Build(view, options, name);
    }

    /// <summary>One row per pending workload (creation order), one column per profile: when it starts, from the snapshot's time.</summary>
    public static Table StartTable(Scenario scenario, IReadOnlyList<JobRunResult> results)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(results);
        var table = new Table().Border(TableBorder.Rounded).Title("pending workloads: start after the snapshot (- : not within the run)");
        table.AddColumn(new TableColumn("workload").NoWrap());
        table.AddColumn(new TableColumn("queue").NoWrap());
        table.AddColumn(new TableColumn("GPUs").RightAligned().NoWrap());
        var byProfile = results.Select(r => r.Jobs.ToDictionary(j => j.Id, StringComparer.Ordinal)).ToArray();
        foreach (var run in results)
        {
            table.AddColumn(new TableColumn(Markup.Escape(run.Profile)).RightAligned().NoWrap());
        }

        foreach (var workload in scenario.Workloads.Take(StartRows))
        {
            var cells = new List<string>
            {
                Markup.Escape(workload.Id),
                Markup.Escape(workload.Queue),
                (workload.Request.GpuMilli / 1000.0).ToString("0.###", CultureInfo.InvariantCulture),
            };
            cells.AddRange(byProfile.Select(jobs => jobs.TryGetValue(workload.Id, out var job) ? Start(job) : "-"));
            table.AddRow(cells.ToArray());
        }

        return table;
    }

    /// <summary>The start as an offset: 0s, 45m, 2h, 1h30m; failed or never started: "-" or "failed".</summary>
    internal static string Start(JobRecord job) => job.FirstStart is { } start
        ? FormatOffset(start)
        : job.Outcome == JobOutcome.Failed ? "failed" : "-";

    internal static string FormatOffset(TimeSpan t)
    {
        var seconds = (long)t.TotalSeconds;
        if (seconds == 0)
        {
            return "0s";
        }

        var parts = new List<string>();
        if (seconds >= 86400)
        {
            parts.Add((seconds / 86400).ToString(CultureInfo.InvariantCulture) + "d");
            seconds %= 86400;
        }

        if (seconds >= 3600)
        {
            parts.Add((seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h");
            seconds %= 3600;
        }

        if (seconds >= 60)
        {
            parts.Add((seconds / 60).ToString(CultureInfo.InvariantCulture) + "m");
            seconds %= 60;
        }

        if (seconds > 0)
        {
            parts.Add(seconds.ToString(CultureInfo.InvariantCulture) + "s");
        }

        return string.Concat(parts);
    }
}
