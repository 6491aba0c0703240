using Berth.Simulation.Generation;
using Berth.Simulation.Inflation;
using Berth.Simulation.Jobs;
using Berth.Simulation.Metrics;
using Berth.Simulation.Replay;
using Berth.Simulation.Reports;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.BrowserTests;

/// <summary>
/// Real reports to open: the policy comparison of a generated cluster (inflation and replay) and the demo
/// scenario under every profile it lists, written once per test run into a temporary folder.
/// </summary>
public sealed class SampleReports : IDisposable
{
    public SampleReports()
    {
        Folder = Directory.CreateTempSubdirectory("berth-report-tests-").FullName;
        var input = WorkloadGenerator.Generate(new GeneratorOptions { Nodes = 120, Seed = 1 }) with { Name = "demo" };
        string[] policies = ["fgd", "fgd-fine", "fgd-peer", "bestfit", "dotprod", "gpupacking", "gpuclustering", "random"];
        int[] seeds = [42, 43];
        var describe = new ReportInput("demo", "generated: 120 nodes, seed 1", "generated", input.Nodes.Count, input.Nodes.Sum(n => n.GpuCount), input.Pods.Count);

        var inflation = policies.SelectMany(p => seeds.Select(s => InflationExperiment.Run(input, p, s))).ToArray();
        Write("policies.html", HtmlReport.Render(Info("inflation", policies, seeds, describe) with { TargetPercent = 130 }, inflation));

        var replay = policies.Take(4).Select(p => ReplayExperiment.Run(input, p, 42)).ToArray();
        Write("replay.html", HtmlReport.Render(Info("replay", policies.Take(4).ToArray(), [42], describe), replay));

        var scenario = ScenarioReader.Read(Path.Combine(Repository.Root, "scenarios", "demo.yaml"));
        var runs = ScenarioComparison.Run(scenario, scenario.Profiles, parallel: 2);
        Write("scenario.html", ScenarioHtmlReport.Render(scenario, runs, "berth simulate --scenario scenarios/demo.yaml"));
        Write("usage.html", UsageHtml.Render(Usage(), "berth report usage --from 2026-12-01 --to 2026-12-08 --format html --out usage.html"));
    }

    /// <summary>A week of showback for three queues, two users and two GPU models, as the server's /api/v1/usage answers.</summary>
    private static Berth.Runtime.Yield.UsageSummary Usage()
    {
        var from = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        string[] queues = ["research", "team-a", "team-b"];
        var days = Enumerable.Range(0, 7).SelectMany(d => queues.Select((q, i) => new Berth.Runtime.Yield.UsageDay(DateOnly.FromDateTime(from.UtcDateTime).AddDays(d), q, 40 + (10 * i) + (d * 3), (20 + (5 * i) + d) * (i == 1 ? 0.4 : 0.8)))).ToArray();
        return new Berth.Runtime.Yield.UsageSummary
        {
            From = from,
            To = from.AddDays(7),
            Currency = "USD",
            Rows =
            [
                new() { Queue = "research", User = "alice", GpuModel = "H100", Jobs = 12, AllocatedGpuHours = 343, UsedGpuHours = 201.6, Cost = 1372 },
                new() { Queue = "team-a", User = "bob", GpuModel = "A100", Jobs = 40, AllocatedGpuHours = 413, UsedGpuHours = 84.4, Cost = 867.3 },
                new() { Queue = "team-b", User = "alice", GpuModel = "L4", Jobs = 7, AllocatedGpuHours = 483, UsedGpuHours = 257.6 },
            ],
            Days = days,
        };
    }

    public string Folder { get; }

    public static IEnumerable<string> Names => ["policies.html", "replay.html", "scenario.html", "usage.html"];

    public string PathOf(string name) => Path.Combine(Folder, name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private static ReportInfo Info(string mode, IReadOnlyList<string> policies, IReadOnlyList<int> seeds, ReportInput input) => new()
    {
        Mode = mode,
        Policies = policies,
        Seeds = seeds,
        Inputs = [input],
        CommandLine = $"berth simulate --demo --mode {mode}",
        Title = "Berth demo",
    };

    private void Write(string name, string html) => File.WriteAllText(PathOf(name), html);
}
