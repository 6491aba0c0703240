using System.Diagnostics;
using System.Globalization;
using Berth.Engine.Admission;
using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Simulation.Inflation;
using Berth.Simulation.Input;
using Berth.Simulation.Metrics;

namespace Berth.Benchmarks;

/// <summary>
/// Scale scenarios outside BenchmarkDotNet:
/// <c>scenario decisions --nodes 1213|N [--policy fgd] [--seed 42] [--until 130]</c> times every Place() of the
/// real inflation loop (cache invalidation included) and prints per-decision percentiles;
/// <c>scenario comparison [--seeds 10]</c> times every policy × seeds 42.. on the default trace in parallel;
/// <c>scenario k8s-bind</c> and <c>scenario k8s-restart</c>: Berth on Kubernetes against the fake API server (see <see cref="KubernetesScale"/>);
/// <c>scenario dashboard-load [--jobs 10000]</c>: the dashboard's first load from a server of that many jobs (see <see cref="DashboardScale"/>);
/// <c>scenario operator-dashboard-load [--workloads 10000]</c>: the same for <c>berth operator</c> against the fake API server (see <see cref="OperatorDashboardScale"/>);
/// <c>scenario mig [--nodes 8] [--requests 6000] [--seed 1] [--load 0.9] [--repartition-seconds 30]</c>: the inference workload
/// on MIG with re-partitioning, static MIG layouts and whole GPUs (see <see cref="Berth.Simulation.Sharing.MigComparison"/>);
/// <c>scenario spot [--scenario scenarios/spot-reclaims.yaml] [--profile ...]</c>: lost work under spot reclaims with and without checkpoint-aware placement (see <see cref="Berth.Simulation.Jobs.SpotComparison"/>);
/// <c>scenario locality [--scenario scenarios/data-locality.yaml] [--profile besteffort-fifo] [--seeds 1,2,3] [--wait 10] [--stage-in GB/s]</c>: data moved,
/// JCT and wait with locality-blind and locality-aware placement, per dataset-catalog seed (see <see cref="Berth.Simulation.Jobs.LocalityComparison"/>);
/// <c>scenario serving [--nodes 64] [--days 3] [--services 12] [--peak-share 0.4] [--training-load 1.2] [--min-runtime-minutes 0] [--seed 1]</c>: a diurnal
/// serving load beside a training backlog, replayed by Berth, kube-default and training-only scheduling (see <see cref="Berth.Simulation.Jobs.ServingComparison"/>);
/// <c>scenario chaos [--kills 100] [--seed 1]</c>: two <c>berth operator</c> processes SIGKILLed at seeded moments, invariants checked (exit 1 on a violation).
/// </summary>
public static class Scenarios
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage();
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }

        string Opt(string name, string fallback) => options.TryGetValue(name, out var v) ? v : fallback;
        switch (args[0])
        {
            case "decisions":
                Decisions(int.Parse(Opt("nodes", "1213"), Inv), Opt("policy", "fgd"), int.Parse(Opt("seed", "42"), Inv), double.Parse(Opt("until", "130"), Inv),
                    Enum.Parse<PlacementScan>(Opt("scan", "auto"), ignoreCase: true));
                return 0;
            case "comparison":
                Comparison(int.Parse(Opt("seeds", "10"), Inv));
                return 0;
            case "admission":
                return AdmissionScale.Run(int.Parse(Opt("workloads", "100000"), Inv), int.Parse(Opt("queues", "1000"), Inv), int.Parse(Opt("cohorts", "100"), Inv),
                    int.Parse(Opt("nodes", "5000"), Inv), Opt("policy", "bestfit"), int.Parse(Opt("seed", "42"), Inv), Opt("mode", "both"), int.Parse(Opt("cycles", "200"), Inv));
            case "itp":
                AdmissionScale.Itp(Opt("file", "scenarios/itp-merged.yaml"), Opt("profiles", string.Join(',', AdmissionProfiles.Names)).Split(','));
                return 0;
            case "yield":
                YieldScale.Run(Opt("file", "scenarios/itp-merged.yaml"), Opt("profile", "fair-share+backfill+preemption"),
                    TimeSpan.FromMinutes(double.Parse(Opt("after", "30"), Inv)), double.Parse(Opt("below", "0.05"), Inv),
                    TimeSpan.FromMinutes(double.Parse(Opt("grace", "15"), Inv)), double.Parse(Opt("non-preemptible", "0.1"), Inv));
                return 0;
            case "mig":
                Console.Write(Berth.Simulation.Sharing.MigComparison.Table(Berth.Simulation.Sharing.MigComparison.Run(
                    new Berth.Simulation.Generation.InferenceWorkloadOptions
                    {
                        Nodes = int.Parse(Opt("nodes", "8"), Inv),
                        Requests = int.Parse(Opt("requests", "6000"), Inv),
                        Seed = int.Parse(Opt("seed", "1"), Inv),
                        OfferedLoad = double.Parse(Opt("load", "0.9"), Inv),
                    },
                    long.Parse(Opt("repartition-seconds", "30"), Inv))));
                return 0;
            case "spot":
                Console.Write(Berth.Simulation.Jobs.SpotComparison.Table(Berth.Simulation.Jobs.SpotComparison.Run(
                    Berth.Simulation.Scenarios.ScenarioReader.Read(Opt("scenario", "scenarios/spot-reclaims.yaml")), Opt("profile", "fair-share+backfill+preemption"))));
                return 0;
            case "locality":
                return Locality(Opt("scenario", "scenarios/data-locality.yaml"), Opt("profile", "besteffort-fifo"), Opt("seeds", "1,2,3"),
                    TimeSpan.FromMinutes(double.Parse(Opt("wait", "10"), Inv)), options.TryGetValue("stage-in", out var gbps) ? double.Parse(gbps, Inv) : null);
            case "serving":
                Console.Write(Berth.Simulation.Jobs.ServingComparison.Table(Berth.Simulation.Jobs.ServingComparison.Run(
                    new Berth.Simulation.Generation.DiurnalServingOptions
                    {
                        Nodes = int.Parse(Opt("nodes", "64"), Inv),
                        Days = int.Parse(Opt("days", "3"), Inv),
                        Services = int.Parse(Opt("services", "12"), Inv),
                        PeakServingShare = double.Parse(Opt("peak-share", "0.4"), Inv),
                        TrainingLoad = double.Parse(Opt("training-load", "1.2"), Inv),
                        TrainingMinRuntimeMinutes = int.Parse(Opt("min-runtime-minutes", "0"), Inv),
                        Seed = int.Parse(Opt("seed", "1"), Inv),
                    })));
                return 0;
            case "hashes":
                return AdmissionHashes.Run(Opt("conformance", "scenarios/conformance"), Opt("itp", "scenarios/itp-merged.yaml"));
            case "k8s-bind":
                return KubernetesScale.Bind(new Berth.Kubernetes.Tests.Scale.BindScenarioOptions
                {
                    Nodes = int.Parse(Opt("nodes", "1000"), Inv),
                    Gangs = int.Parse(Opt("gangs", "625"), Inv),
                    GangSize = int.Parse(Opt("gang-size", "8"), Inv),
                    Queues = int.Parse(Opt("queues", "10"), Inv),
                    ServerAloneParallelism = int.Parse(Opt("parallel", "16"), Inv),
                });
            case "hyperscale":
                HyperscaleScale.Run(
                    new Berth.Simulation.Generation.HyperscaleOptions
                    {
                        Nodes = int.Parse(Opt("nodes", "12500"), Inv),
                        Days = int.Parse(Opt("days", "30"), Inv),
                        Jobs = int.Parse(Opt("jobs", "1000000"), Inv),
                        OfferedLoad = double.Parse(Opt("load", "0.85"), Inv),
                        Seed = int.Parse(Opt("seed", "1"), Inv),
                    },
                    Opt("profile", "fair-share+backfill+preemption"));
                return 0;
            case "server-submit":
                return ServerScale.Submit(int.Parse(Opt("jobs", "20000"), Inv), int.Parse(Opt("clients", "16"), Inv), Opt("loop", "on") == "on");
            case "server-parts":
                return ServerScale.Parts(int.Parse(Opt("jobs", "20000"), Inv));
            case "server-restart":
                return ServerScale.Restart(int.Parse(Opt("jobs", "100000"), Inv));
            case "dashboard-load":
                return DashboardScale.Load(int.Parse(Opt("jobs", "10000"), Inv), int.Parse(Opt("rounds", "20"), Inv), Opt("browser", "off") == "on");
            case "operator-dashboard-load":
                return OperatorDashboardScale.Load(int.Parse(Opt("workloads", "10000"), Inv), int.Parse(Opt("rounds", "20"), Inv));
            case "server-list":
                return ServerScale.List(int.Parse(Opt("jobs", "10000"), Inv), int.Parse(Opt("port", "18090"), Inv), Opt("data", "berth-bench-data"));
            case "k8s-restart":
                return KubernetesScale.Restart(new Berth.Kubernetes.Tests.Scale.RestartScenarioOptions
                {
                    Nodes = int.Parse(Opt("nodes", "5000"), Inv),
                    BoundPods = int.Parse(Opt("pods", "50000"), Inv),
                    PendingGangs = int.Parse(Opt("pending", "100"), Inv),
                    InterruptedGangs = int.Parse(Opt("interrupted", "10"), Inv),
                    Queues = int.Parse(Opt("queues", "20"), Inv),
                });
            case "chaos":
                return Chaos(new Berth.Cli.Tests.Chaos.ChaosOptions
                {
                    Kills = int.Parse(Opt("kills", "100"), Inv),
                    Seed = int.Parse(Opt("seed", "1"), Inv),
                    BerthDll = Opt("berth", BuiltBerth()),
                    LeaseDuration = Opt("lease-duration", "2s"),
                    RenewDeadline = Opt("renew-deadline", "1s"),
                    RetryPeriod = Opt("retry-period", "250ms"),
                    LogFolder = options.TryGetValue("logs", out var logs) ? logs : null,
                    WatchLag = Opt("watch-lag", "off") == "on",
                });
            default:
                return Usage();
        }
    }

    /// <summary>src/Berth.Cli's berth.dll of the configuration and framework this executable was built with (bin/Release/net10.0).</summary>
    private static string BuiltBerth()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        var repository = configuration.Parent!.Parent!.Parent!.Parent!;
        return Path.Combine(repository.FullName, "src", "Berth.Cli", "bin", configuration.Name, framework.Name, "berth.dll");
    }

    /// <summary><c>scenario chaos</c>: the chaos harness (see <see cref="Berth.Cli.Tests.Chaos.ChaosScenario"/>); exits 1 on any violation.</summary>
    private static int Chaos(Berth.Cli.Tests.Chaos.ChaosOptions options)
    {
        var result = Berth.Cli.Tests.Chaos.ChaosScenario.RunAsync(options, Console.WriteLine).GetAwaiter().GetResult();
        Console.WriteLine();
        Console.Write(result.Table());
        return result.Violations.Count == 0 ? 0 : 1;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: scenario decisions --nodes 1213|1000|5000|20000 [--policy fgd] [--seed 42] [--until 130] [--scan auto|full|grouped]");
        Console.Error.WriteLine("       scenario comparison [--seeds 10]");
        Console.Error.WriteLine("       scenario admission [--workloads 100000] [--queues 1000] [--cohorts 100] [--nodes 5000] [--policy bestfit] [--mode both|full|incremental] [--cycles 200]");
        Console.Error.WriteLine("       scenario itp [--file scenarios/itp-merged.yaml] [--profiles strict-fifo,fair-share+backfill]");
        Console.Error.WriteLine("       scenario yield [--file scenarios/itp-merged.yaml] [--profile fair-share+backfill+preemption] [--after 30 (min)] [--below 0.05] [--grace 15 (min)] [--non-preemptible 0.1]");
        Console.Error.WriteLine("       scenario hashes [--conformance scenarios/conformance] [--itp scenarios/itp-merged.yaml|none]");
        Console.Error.WriteLine("       scenario locality [--scenario scenarios/data-locality.yaml] [--profile besteffort-fifo] [--seeds 1,2,3] [--wait 10 (min)] [--stage-in 1.25 (GB/s)]");
        Console.Error.WriteLine("       scenario serving [--nodes 64] [--days 3] [--services 12] [--peak-share 0.4] [--training-load 1.2] [--min-runtime-minutes 0] [--seed 1]");
        Console.Error.WriteLine("       scenario mig [--nodes 8] [--requests 6000] [--seed 1] [--load 0.9] [--repartition-seconds 30]");
        Console.Error.WriteLine("       scenario k8s-bind [--nodes 1000] [--gangs 625] [--gang-size 8] [--queues 10] [--parallel 16]");
        Console.Error.WriteLine("       scenario hyperscale [--nodes 12500] [--days 30] [--jobs 1000000] [--load 0.85] [--profile fair-share+backfill+preemption] [--seed 1]");
        Console.Error.WriteLine("       scenario k8s-restart [--nodes 5000] [--pods 50000] [--pending 100] [--interrupted 10] [--queues 20]");
        Console.Error.WriteLine("       scenario chaos [--kills 100] [--seed 1] [--berth path/berth.dll] [--lease-duration 2s] [--renew-deadline 1s] [--retry-period 250ms] [--watch-lag on|off] [--logs dir]");
        Console.Error.WriteLine("       scenario dashboard-load [--jobs 10000] [--rounds 20] [--browser on]");
        Console.Error.WriteLine("       scenario operator-dashboard-load [--workloads 10000] [--rounds 20]");
        return 2;
    }

    private static void Decisions(int nodes, string policy, int seed, double untilPercent, PlacementScan scan)
    {
        var input = nodes == 1213 ? BenchData.Openb() : BenchData.Generated(nodes);
        var target = TargetWorkload.FromPods(input.PodSpecs, 0.95);
        var sequence = InflationExperiment.BuildSequence(input.PodSpecs, input.GpuCapacityMilli, 130, seed);
        var cluster = new ClusterState(input.Nodes);
        var placer = new Placer(PlacementPolicies.Get(policy), new PluginContext(cluster, target), seed, scan);
        var goal = cluster.TotalGpuMilli * untilPercent / 100;
        var all = new List<double>(sequence.Count);
        var placed = new List<double>(sequence.Count);
        var failed = new List<double>();
        var upTo70 = new List<double>(sequence.Count);
        long arrived = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < sequence.Count && arrived < goal; i++)
        {
            var pod = sequence[i];
            var start = Stopwatch.GetTimestamp();
            var result = placer.Place(pod);
            var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            all.Add(us);
            (result.Placed ? placed : failed).Add(us);
            if (arrived < cluster.TotalGpuMilli * 0.7)
            {
                upTo70.Add(us);
            }

            arrived += pod.GpuDemandMilli;
        }

        total.Stop();
        Console.WriteLine($"scenario decisions: {input.Name}, {cluster.NodeCount} nodes, {cluster.TotalGpus} GPUs, policy {policy}, seed {seed}, scan {scan} (grouped: {placer.IsGrouped}), " +
            $"Place() of the inflation sequence until arrived demand {untilPercent}% ({100.0 * arrived / cluster.TotalGpuMilli:F1}% reached), " +
            $"final allocation {100.0 * cluster.AllocatedGpuMilli / cluster.TotalGpuMilli:F1}%, loop {total.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine("| decisions | count | median µs | p90 µs | p99 µs | max µs | mean µs |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Row("all", all);
        Row("placed", placed);
        Row("failed (no node fits)", failed);
        Row("arrived < 70%", upTo70);
    }

    private static void Row(string label, List<double> values)
    {
        if (values.Count == 0)
        {
            Console.WriteLine($"| {label} | 0 | | | | | |");
            return;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        Console.WriteLine(string.Create(Inv,
            $"| {label} | {sorted.Length} | {Pct(sorted, 50):F1} | {Pct(sorted, 90):F1} | {Pct(sorted, 99):F1} | {sorted[^1]:F1} | {sorted.Average():F1} |"));
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static int Locality(string file, string profile, string seeds, TimeSpan wait, double? stageInGbPerSecond)
    {
        var scenario = Berth.Simulation.Scenarios.ScenarioReader.Read(file);
        scenario = stageInGbPerSecond is { } gbps ? scenario with { StageInGbPerSecond = gbps } : scenario;
        var rows = new List<Berth.Simulation.Jobs.LocalityComparison.Row>();
        var total = Stopwatch.StartNew();
        foreach (var seed in seeds.Split(',').Select(s => int.Parse(s, Inv)))
        {
            rows.AddRange(Berth.Simulation.Jobs.LocalityComparison.Run(scenario, profile, new Berth.Simulation.Generation.DatasetCatalogOptions { Seed = seed }, wait));
        }

        Console.Write(Berth.Simulation.Jobs.LocalityComparison.Table(rows));
        Console.WriteLine(string.Create(Inv, $"{scenario.Workloads.Count} jobs, {scenario.Nodes.Count} nodes, profile {profile}, stage-in {scenario.StageInGbPerSecond} GB/s; {rows.Count} replays in {total.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    private static double Pct(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static void Comparison(int seeds)
    {
        var load = Stopwatch.StartNew();
        var input = BenchData.Openb();
        load.Stop();
        var runs = PlacementPolicies.Names.SelectMany(p => Enumerable.Range(42, seeds).Select(s => (Policy: p, Seed: s))).ToArray();
        var results = new RunResult[runs.Length];
        var total = Stopwatch.StartNew();
        Parallel.ForEach(
            Enumerable.Range(0, runs.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => results[i] = InflationExperiment.Run(input, runs[i].Policy, runs[i].Seed));
        total.Stop();
        Console.WriteLine($"scenario comparison: {input.Name}, {input.Nodes.Count} nodes, {input.Pods.Count} pods, {PlacementPolicies.Names.Count} policies x {seeds} seeds = {runs.Length} runs, " +
            $"MaxDegreeOfParallelism {Environment.ProcessorCount}; trace read {load.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine(string.Create(Inv, $"total wall {total.Elapsed.TotalSeconds:F1} s; per-run mean {results.Average(r => r.WallSeconds):F2} s (each run's own wall time, measured while sharing the cores)"));
        Console.WriteLine("| policy | runs | mean s/run | min s | max s |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => r.Policy))
        {
            Console.WriteLine(string.Create(Inv, $"| {group.Key} | {group.Count()} | {group.Average(r => r.WallSeconds):F2} | {group.Min(r => r.WallSeconds):F2} | {group.Max(r => r.WallSeconds):F2} |"));
        }
    }
}
