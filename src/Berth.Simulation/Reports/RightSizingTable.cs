using Berth.Runtime.Yield;
using Berth.Simulation.Jobs;

namespace Berth.Simulation.Reports;

/// <summary>
/// Right-sizing of one run's jobs (<see cref="RightSizing"/>): each job that ran with a known GPU activity is one
/// sample of busy GPUs (its GPUs times its activity, which the utilization model holds constant over its run), so
/// its p95 is that figure; queues add their jobs up, and a last row <c>*</c> adds all.
/// </summary>
public static class RightSizingTable
{
    /// <summary>One row per queue that has advice, in the order the run lists its queues, then <c>*</c>.</summary>
    public static IReadOnlyList<(string Queue, RightSize Advice)> Of(JobRunResult run, string? gpuModel)
    {
        ArgumentNullException.ThrowIfNull(run);
        var jobs = run.Jobs.Where(j => j.FirstStart is not null && j.GpuActivity is not null && j.Gpus > 0)
            .Select(j => (j.Queue, Advice: RightSizing.Recommend((int)Math.Ceiling(j.Gpus - 1e-9), [j.Gpus * j.GpuActivity!.Value], gpuModel)))
            .Where(j => j.Advice is not null)
            .ToArray();
        var rows = new List<(string, RightSize)>();
        foreach (var queue in run.Queues.Select(q => q.Queue).Where(q => q != "*"))
        {
            if (RightSizing.ForQueue(queue, jobs.Where(j => j.Queue == queue).Select(j => j.Advice!)) is { } advice)
            {
                rows.Add((queue, advice));
            }
        }

        if (RightSizing.ForQueue("*", jobs.Select(j => j.Advice!)) is { } all)
        {
            rows.Add(("*", all));
        }

        return rows;
    }
}
