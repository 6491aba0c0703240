using Berth.Runtime.Plan;
using Berth.Server.Jobs;
using Berth.Web;

namespace Berth.Server.Api;

/// <summary>Queues as the API shows them.</summary>
public static class QueueViews
{
    /// <summary>
    /// A queue as the API shows it. Borrowed: use above nominal. Lent: of its unused nominal quota, what the rest of its
    /// cohort borrows now (shared out in proportion when several lend). Share: the fair-share order's key without
    /// usage history, borrowed over the cohort's nominal quota of that flavor and resource, divided by the weight.
    /// </summary>
    public static QueueView Of(Berth.Model.Queueing.Queue q, Berth.Model.Queueing.QueueConfiguration configuration, IReadOnlyList<JobRecord> jobs, IReadOnlyList<QuotaGauge> quota)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(quota);
        var peers = q.Cohort is null ? [q.Name] : configuration.Queues.Where(p => p.Cohort == q.Cohort).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var rows = new List<QuotaView>();
        var share = 0.0;
        foreach (var g in quota.Where(g => g.Queue == q.Name))
        {
            var cohort = quota.Where(c => peers.Contains(c.Queue) && c.Flavor == g.Flavor && c.Resource == g.Resource).ToArray();
            var borrowed = Math.Max(0, g.Used - g.Nominal);
            var othersBorrow = cohort.Where(c => c.Queue != q.Name).Sum(c => Math.Max(0, c.Used - c.Nominal));
            var unused = cohort.Sum(c => Math.Max(0, c.Nominal - c.Used));
            var mine = Math.Max(0, g.Nominal - g.Used);
            var lent = unused > 0 ? Math.Min(mine, othersBorrow * mine / unused) : 0;
            var total = cohort.Sum(c => c.Nominal);
            share = Math.Max(share, total > 0 ? borrowed / total / q.Weight : 0);
            rows.Add(new QuotaView(g.Flavor, g.Resource, g.Nominal, g.Used) { Borrowed = borrowed, Lent = lent });
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
        };
    }
}
