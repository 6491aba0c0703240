using Berth.Runtime.Yield;
using Berth.Server.Jobs;
using Berth.Server.Store;

namespace Berth.Server.Usage;

/// <summary>
/// Showback from the store, as Slurm's <c>sreport</c> does for accounts: every run of a job (start to end, or to now
/// while it runs) clipped to the period, times the GPUs it holds, is allocated GPU-hours; times the job's GPU activity,
/// used GPU-hours; times its GPU model's price, cost. A job requeued twice is charged for its three runs. Pure: the
/// caller gives the runs with their jobs, the clock's now and the lookups.
/// </summary>
public static class UsageReport
{
    /// <summary>The report over [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <param name="activityOf">A job's mean GPU activity (0 to 1) when known: measured, else stated.</param>
    /// <param name="modelOf">The GPU model a run ran on; null when unknown.</param>
    public static UsageSummary Of(IEnumerable<(JobRecord Job, JobRun Run)> runs, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, Func<JobRecord, double?> activityOf, Func<JobRecord, JobRun, string?> modelOf, PriceTable? prices)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(activityOf);
        ArgumentNullException.ThrowIfNull(modelOf);
        var rows = new Dictionary<(string Queue, string User, string Model), (int Jobs, double Allocated, double Used)>();
        var counted = new HashSet<((string, string, string) Key, long Seq)>();
        var days = new Dictionary<(DateOnly Day, string Queue), (double Allocated, double Used)>();
        foreach (var (job, run) in runs)
        {
            var gpus = run.Gpus ?? job.GpusRequested;
            if (gpus <= 0)
            {
                continue;
            }

            var start = Max(run.Started, from);
            var end = Min(run.Ended ?? now, to);
            if (end <= start)
            {
                continue;
            }

            var activity = activityOf(job) ?? 0;
            var key = (job.Workload.Queue, job.Spec.SubmittedBy ?? "unknown", modelOf(job, run) ?? "unknown");
            var (n, allocated, used) = rows.GetValueOrDefault(key);
            var hours = (end - start).TotalHours * gpus;
            rows[key] = (counted.Add((key, job.Seq)) ? n + 1 : n, allocated + hours, used + (hours * activity));

            // Split by UTC day for the charts.
            for (var dayStart = new DateTimeOffset(start.UtcDateTime.Date, TimeSpan.Zero); dayStart < end; dayStart = dayStart.AddDays(1))
            {
                var part = (Min(end, dayStart.AddDays(1)) - Max(start, dayStart)).TotalHours * gpus;
                var dayKey = (DateOnly.FromDateTime(dayStart.UtcDateTime), job.Workload.Queue);
                var (a, u) = days.GetValueOrDefault(dayKey);
                days[dayKey] = (a + part, u + (part * activity));
            }
        }

        return new UsageSummary
        {
            From = from,
            To = to,
            Currency = prices?.Currency,
            Rows = rows.OrderBy(r => r.Key.Queue, StringComparer.Ordinal).ThenBy(r => r.Key.User, StringComparer.Ordinal).ThenBy(r => r.Key.Model, StringComparer.Ordinal)
                .Select(r => new UsageRow
                {
                    Queue = r.Key.Queue,
                    User = r.Key.User,
                    GpuModel = r.Key.Model,
                    Jobs = r.Value.Jobs,
                    AllocatedGpuHours = Math.Round(r.Value.Allocated, 4),
                    UsedGpuHours = Math.Round(r.Value.Used, 4),
                    Cost = prices?.Price(r.Key.Model) is { } price ? Math.Round(r.Value.Allocated * price, 2) : null,
                }).ToArray(),
            Days = days.OrderBy(d => d.Key.Day).ThenBy(d => d.Key.Queue, StringComparer.Ordinal)
                .Select(d => new UsageDay(d.Key.Day, d.Key.Queue, Math.Round(d.Value.Allocated, 4), Math.Round(d.Value.Used, 4))).ToArray(),
        };
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
