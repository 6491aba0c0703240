using System.Globalization;
using System.Text;
using Berth.Model.Queueing;
using Berth.Simulation.Generation;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Jobs;

/// <summary>
/// A diurnal serving load beside a training backlog (<see cref="DiurnalServingGenerator"/>), replayed three ways:
/// <list type="bullet">
/// <item><c>berth</c>: <c>fair-share+backfill+preemption</c>; replicas carry the serving priority and spread, and a
/// scale-up reclaims the GPUs training borrowed from the inference quota;</item>
/// <item><c>kube-default</c>: plain Kubernetes (pods one by one, no quotas, no preemption modelled), the same
/// workloads;</item>
/// <item><c>training-only</c>: the Berth profile with serving treated like training: replicas at training's priority,
/// no serving group (packed), and the inference queue with training's preemption rights (none).</item>
/// </list>
/// Scale-up wait is the time from a replica's submit to its first start (to the end of the run for one never
/// started); training throughput is the GPU-hours of training jobs completed within the run, and the jobs completed.
/// </summary>
public static class ServingComparison
{
    /// <summary>One replay's figures.</summary>
    public sealed record Row(string Scheduling, double WaitP50Seconds, double WaitP99Seconds, double WaitMeanSeconds, int Replicas, int ReplicasWaited, int ReplicasNeverStarted,
        double TrainingGpuHours, int TrainingCompleted, double LostGpuHours);

    /// <summary>The three replays of the load <paramref name="options"/> generates, in the order of the type's list.</summary>
    public static IReadOnlyList<Row> Run(DiurnalServingOptions options)
    {
        var scenario = DiurnalServingGenerator.Generate(options);
        return [Measure("berth", scenario, "fair-share+backfill+preemption"), Measure("kube-default", scenario, "kube-default"), Measure("training-only", TrainingOnly(scenario), "fair-share+backfill+preemption")];
    }

    /// <summary>The scenario with serving treated like training (see the type's list).</summary>
    public static Scenario TrainingOnly(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var training = scenario.Queues.Queues.Single(q => q.Name == DiurnalServingGenerator.TrainingQueue);
        return scenario with
        {
            Workloads = scenario.Workloads.Select(w => w.IsServing ? w with { Priority = 0, ServingGroup = null } : w).ToArray(),
            Queues = scenario.Queues with
            {
                Queues = scenario.Queues.Queues.Select(q => q.Name == DiurnalServingGenerator.InferenceQueue ? q with { Preemption = training.Preemption } : q).ToArray(),
            },
        };
    }

    /// <summary>The rows as a markdown table.</summary>
    public static string Table(IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder("| scheduling | scale-up wait p50 (s) | p99 (s) | mean (s) | replicas | waited | never started | training GPU-hours done | training jobs done | GPU-hours lost to preemption |\n|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Scheduling} | {r.WaitP50Seconds:0} | {r.WaitP99Seconds:0} | {r.WaitMeanSeconds:0} | {r.Replicas} | {r.ReplicasWaited} | {r.ReplicasNeverStarted} | {r.TrainingGpuHours:0} | {r.TrainingCompleted} | {r.LostGpuHours:0.0} |\n");
        }

        return text.ToString();
    }

    private static Row Measure(string name, Scenario scenario, string profile)
    {
        var result = JobReplay.Run(scenario, profile);
        var replicas = result.Jobs.Where(j => j.Queue == DiurnalServingGenerator.InferenceQueue).ToArray();
        var waits = replicas.Select(j => (j.FirstStart is { } start ? start - j.Submit : j.Wait).TotalSeconds).Order().ToArray();
        var trained = result.Jobs.Where(j => j.Queue == DiurnalServingGenerator.TrainingQueue && j.Outcome == JobOutcome.Completed).ToArray();
        return new Row(name, JobReplay.Percentile(waits, 0.50), JobReplay.Percentile(waits, 0.99), waits.Length == 0 ? 0 : waits.Average(), replicas.Length, waits.Count(w => w > 0), replicas.Count(j => j.FirstStart is null),
            trained.Sum(j => j.Gpus * j.Duration.TotalHours), trained.Length, result.Overall.LostGpuHours);
    }
}
