using System.Diagnostics;
using System.Globalization;
using Berth.Engine.Admission;
using Berth.Model.Queueing;
using Berth.Simulation.Jobs;
using Berth.Simulation.Scenarios;

namespace Berth.Benchmarks;

/// <summary>
/// <c>scenario yield [--file scenarios/itp-merged.yaml] [--profile fair-share+backfill+preemption] [--after 30m]
/// [--below 0.05] [--grace 15m] [--non-preemptible 0.1]</c>: the merged ITP replay with GPU activity from the
/// scenario's utilization model, once without an idle-GPU policy and once under each action (Notify, PreemptFirst,
/// Reclaim) on every queue. A share of the workloads (picked by a stable hash of their ids) is marked
/// non-preemptible, to show that idle-GPU actions never disturb them. Prints one markdown row per run.
/// </summary>
public static class YieldScale
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Run(string file, string profile, TimeSpan after, double below, TimeSpan grace, double nonPreemptibleShare)
    {
        var scenario = ScenarioReader.Read(file);
        var workloads = scenario.Workloads.Select(w => Share(w.Id) < nonPreemptibleShare ? w with { Preemptible = false } : w).ToArray();
        var fixedIds = workloads.Where(w => !w.Preemptible).Select(w => w.Id).ToHashSet(StringComparer.Ordinal);
        scenario = scenario with { Workloads = workloads };
        Console.WriteLine(string.Create(Inv, $"{scenario.Name}: {workloads.Length} workloads ({fixedIds.Count} non-preemptible), {scenario.Nodes.Sum(n => n.GpuCount)} GPUs, profile {profile}"));
        Console.WriteLine($"utilization model: {scenario.Utilization}");
        Console.WriteLine(string.Create(Inv, $"idle: activity at most {below:P0} for {after.TotalMinutes:0} min; reclaim grace {grace.TotalMinutes:0} min"));
        Console.WriteLine();
        Console.WriteLine("| idle-GPU policy | GPU alloc % | GPU yield % | used GPU-h | idle-allocated GPU-h | mean wait h | p95 wait h | completed | preemptions | lost GPU-h | lost useful GPU-h | idle jobs | reclaimed | non-preemptible disturbed | wall s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var action in new IdleAction?[] { null, IdleAction.Notify, IdleAction.PreemptFirst, IdleAction.Reclaim })
        {
            var policy = action is { } a ? new IdleGpuPolicy { After = after, Below = below, Action = a, Grace = grace } : null;
            var run = scenario with { Queues = scenario.Queues with { Queues = scenario.Queues.Queues.Select(q => q with { IdleGpus = policy }).ToArray() } };
            var sw = Stopwatch.StartNew();
            var result = JobReplay.Run(run, profile, new JobReplayOptions { KeepEvents = true });
            sw.Stop();
            var o = result.Overall;
            var disturbed = result.Events.Count(e => fixedIds.Contains(e.Workload)
                && (e.Kind == AdmissionEventKind.Evicted || (e.Kind == AdmissionEventKind.Failed && e.Reason == IdleGpus.ReclaimedReason)));
            Console.WriteLine(string.Create(Inv,
                $"| {(action?.ToString() ?? "none")} | {o.GpuAllocPct:F2} | {o.GpuYieldPct:F2} | {o.UsedGpuHours:F0} | {o.IdleAllocatedGpuHours:F0} | {o.MeanWait / 3600:F2} | {o.P95Wait / 3600:F2} | {o.Completed} | {o.Preemptions} | {o.LostGpuHours:F0} | {o.LostUsefulGpuHours:F0} | {o.IdleJobs} | {o.IdleReclaimed} | {disturbed} | {sw.Elapsed.TotalSeconds:F1} |"));
            Console.Out.Flush();
        }
    }

    /// <summary>A stable share in [0, 1) from an id (FNV-1a), so the same workloads are marked on every run.</summary>
    private static double Share(string id)
    {
        var hash = 2_166_136_261u;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 16_777_619u;
        }

        return (hash % 10_000) / 10_000.0;
    }
}
