using Berth.Runtime.Plan;
using Berth.Server.Jobs;
using Berth.Web;

namespace Berth.Server.Api;

/// <summary>Queues as the API shows them.</summary>
public static class QueueViews
{
    /// <summary>
    /// A queue as the API shows it: its quota rows by <see cref="QuotaRows"/> (the operator's rule too); used and idle
    /// GPUs of its running jobs whose GPU activity <paramref name="activity"/> knows.
    /// </summary>
    public static QueueView Of(Berth.Model.Queueing.Queue q, Berth.Model.Queueing.QueueConfiguration configuration, IReadOnlyList<JobRecord> jobs, IReadOnlyList<QuotaGauge> quota, Func<JobRecord, double?> activity)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(quota);
        ArgumentNullException.ThrowIfNull(activity);
        var peers = q.Cohort is null ? new HashSet<string>(StringComparer.Ordinal) { q.Name } : configuration.Queues.Where(p => p.Cohort == q.Cohort).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var (rows, share) = QuotaRows.Of(q.Name, q.Weight, peers, quota.Select(g => (g.Queue, g.Flavor, g.Resource, g.Used, g.Nominal)).ToArray());
        double known = 0, used = 0;
        foreach (var job in jobs.Where(j => j.Workload.Queue == q.Name && j.State == JobState.Running))
        {
            if (activity(job) is { } busy)
            {
                var held = job.GpusHeld;
                known += held;
                used += held * busy;
            }
        }

        return new QueueView(
            q.Name,
            q.Cohort,
            q.Weight,
            rows,
            jobs.Count(j => j.Workload.Queue == q.Name && j.State == JobState.Pending),
            jobs.Count(j => j.Workload.Queue == q.Name && j.State == JobState.Held),
            jobs.Count(j => j.Workload.Queue == q.Name && j.State == JobState.Running))
        {
            Share = share,
            StopPolicy = q.Stop.ToString(),
            UsedGpus = known > 0 ? Math.Round(used, 3) : null,
            IdleGpus = known > 0 ? Math.Round(known - used, 3) : null,
        };
    }
}
