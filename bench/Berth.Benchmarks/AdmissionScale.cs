using System.Diagnostics;
using System.Globalization;
using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Jobs;
using Berth.Simulation.Metrics;
using Berth.Simulation.Scenarios;

namespace Berth.Benchmarks;

/// <summary>
/// Admission at scale, outside BenchmarkDotNet (one run is seconds long):
/// <c>scenario admission [--workloads 100000] [--queues 1000] [--cohorts 100] [--nodes 5000] [--policy bestfit]</c>
/// builds a seeded configuration (queues of random nominal GPU quota spread over the cohorts, one flavor,
/// 8-GPU nodes), submits every workload (1, 2, 4 or 8 GPUs as 1 pod, or 16/32 GPUs as gangs of 8-GPU pods),
/// then times the first cycle (which admits until the cluster or the quotas are full) and then steady-state
/// cycles: one running workload finishes, one cycle runs (retrying every pending head), repeated. With
/// <c>--mode both</c> (the default) the same inputs run twice in one process, first with full cycles
/// (<see cref="AdmissionOptions.Incremental"/> off) and then incremental ones, and the two event logs' hashes are
/// printed side by side: they must be equal. <c>--mode full</c> or <c>--mode incremental</c> runs one.
/// <c>scenario itp [--profiles a,b] [--file scenarios/itp-merged.yaml]</c> times the merged ITP replay per profile, one at a time.
/// </summary>
public static class AdmissionScale
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(int workloads, int queues, int cohorts, int nodes, string policy, int seed, string mode, int cycles = 200)
    {
        var modes = mode switch
        {
            "both" => new[] { false, true },
            "full" => [false],
            "incremental" => [true],
            _ => throw new ArgumentException($"--mode '{mode}' is unknown; use both, full or incremental", nameof(mode)),
        };
        var hashes = modes.Select(incremental => Run(workloads, queues, cohorts, nodes, policy, seed, incremental, cycles)).ToArray();
        if (hashes.Length == 2)
        {
            var same = string.Equals(hashes[0], hashes[1], StringComparison.Ordinal);
            Console.WriteLine(same ? $"event logs: same hash {hashes[0]} for full and incremental cycles" : $"event logs DIFFER: full {hashes[0]}, incremental {hashes[1]}");
            return same ? 0 : 1;
        }

        return 0;
    }

    /// <summary>One run; returns the hash of every admission event (first cycle and steady state).</summary>
    private static string Run(int workloads, int queues, int cohorts, int nodes, string policy, int seed, bool incremental, int steadyCycles)
    {
        var rng = new Random(seed);
        var cohortList = Enumerable.Range(0, cohorts).Select(c => new Cohort($"c{c}")).ToArray();
        var clusterGpus = nodes * 8L;
        var queueList = Enumerable.Range(0, queues).Select(q => new Queue($"q{q}")
        {
            Cohort = cohortList[q % cohorts].Name,
            Flavors = [new FlavorQuota("default") { Gpu = new ResourceQuota(1000L * Math.Max(1, clusterGpus / queues + rng.Next(-2, 3))) }],
            Weight = 1 + rng.Next(3),
        }).ToArray();
        var nodeList = Enumerable.Range(0, nodes).Select(i => new Node { Name = $"n{i}", CpuMilli = 96_000, MemoryMiB = 1024 * 1024, GpuCount = 8, GpuModel = "A100" }).ToArray();
        var config = new QueueConfiguration { Flavors = [new Flavor("default")], Cohorts = cohortList, Queues = queueList };
        var sizes = new[] { 1, 1, 1, 1, 2, 2, 4, 8, 16, 32 };
        var list = new List<Workload>(workloads);
        for (var i = 0; i < workloads; i++)
        {
            var gpus = sizes[rng.Next(sizes.Length)];
            var pods = gpus > 8 ? gpus / 8 : 1;
            var perPod = gpus > 8 ? 8 : gpus;
            list.Add(new Workload($"w{i}")
            {
                Queue = $"q{rng.Next(queues)}",
                PodSets = [new PodSet("workers", pods, new Pod { Name = "p", CpuMilli = 4000L * perPod, MemoryMiB = 16_384L * perPod, GpuCount = perPod, GpuMilli = Limits.GpuMilliPerGpu })],
                Priority = rng.Next(3),
                SubmitTime = TimeSpan.FromSeconds(i),
                ExpectedRunTime = TimeSpan.FromHours(1 + rng.Next(8)),
            });
        }

        var time = new BenchTime();
        var options = new AdmissionOptions { PlacementPolicy = policy, Seed = seed, Incremental = incremental };
        var hash = new EventLogHash();
        var build = Stopwatch.StartNew();
        var scheduler = new AdmissionScheduler(nodeList, config, options, time, list.Take(2000).SelectMany(w => w.PodSets.Select(s => s.Template)).ToArray());
        foreach (var w in list)
        {
            scheduler.Submit(w);
        }

        build.Stop();
        var first = Stopwatch.StartNew();
        var admitted = scheduler.Schedule();
        first.Stop();
        Hash(hash, scheduler.DrainEvents());
        Console.WriteLine(string.Create(Inv, $"{workloads} workloads, {queues} queues, {cohorts} cohorts, {nodes} nodes ({clusterGpus} GPUs), policy {policy}, {(incremental ? "incremental" : "full")} cycles"));
        Console.WriteLine(string.Create(Inv, $"submit all: {build.Elapsed.TotalSeconds:F2} s"));
        Console.WriteLine(string.Create(Inv, $"first cycle: {admitted} admitted in {first.Elapsed.TotalSeconds:F2} s = {admitted / first.Elapsed.TotalSeconds:F0} admissions/s; GPUs allocated {100.0 * scheduler.Cluster.AllocatedGpuMilli / (clusterGpus * 1000):F1}%"));

        // Steady state: one finishes, one cycle.
        var running = scheduler.Workloads.Where(w => w.Phase == WorkloadPhase.Admitted).Select(w => w.Id).ToArray();
        var cycles = Math.Min(steadyCycles, running.Length);
        var costs = new double[cycles];
        var steadyAdmitted = 0;
        for (var i = 0; i < cycles; i++)
        {
            time.Advance(60);
            scheduler.Finish(running[i]);
            var sw = Stopwatch.StartNew();
            steadyAdmitted += scheduler.Schedule();
            sw.Stop();
            costs[i] = sw.Elapsed.TotalMilliseconds;
            Hash(hash, scheduler.DrainEvents());
        }

        Array.Sort(costs);
        Console.WriteLine(string.Create(Inv, $"steady state, {cycles} cycles (one workload finishes before each): median {costs[cycles / 2]:F2} ms, p90 {costs[(int)(cycles * 0.9)]:F2} ms, p99 {costs[(int)(cycles * 0.99)]:F2} ms, max {costs[^1]:F2} ms per cycle; {steadyAdmitted} admitted, {steadyAdmitted / (costs.Sum() / 1000):F0} admissions/s"));
        return hash.Value;
    }

    private static void Hash(EventLogHash hash, IReadOnlyList<AdmissionEvent> events)
    {
        foreach (var e in events)
        {
            hash.Add((long)e.At.TotalSeconds);
            hash.Add((long)e.Kind);
            hash.Add(e.Pods);
            hash.Add(e.GpuMilli);
            foreach (var text in new[] { e.Workload, e.Reason ?? string.Empty, e.Flavor ?? string.Empty, e.Detail, e.By ?? string.Empty })
            {
                foreach (var c in text)
                {
                    hash.Add(c);
                }

                hash.Add(-1);
            }
        }
    }

    public static void Itp(string file, IReadOnlyList<string> profiles)
    {
        var read = Stopwatch.StartNew();
        var scenario = ScenarioReader.Read(file);
        read.Stop();
        Console.WriteLine(string.Create(Inv, $"{scenario.Name}: {scenario.Workloads.Count} workloads, {scenario.Nodes.Sum(n => n.GpuCount)} GPUs; read in {read.Elapsed.TotalSeconds:F2} s"));
        foreach (var profile in profiles)
        {
            var sw = Stopwatch.StartNew();
            var result = JobReplay.Run(scenario, profile);
            sw.Stop();
            Console.WriteLine(string.Create(Inv, $"{profile,-32} {sw.Elapsed.TotalSeconds,6:F2} s  mean wait {result.Overall.MeanWait / 3600:F2} h  hash {result.EventLogHash}"));
        }
    }

    private sealed class BenchTime : TimeProvider
    {
        private DateTimeOffset _now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(double seconds) => _now = _now.AddSeconds(seconds);
    }
}
