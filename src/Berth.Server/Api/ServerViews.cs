using System.Globalization;
using System.Runtime.CompilerServices;
using Berth.Model;
using Berth.Runtime.Lifecycle;
using Berth.Server.Jobs;
using Berth.Server.Loop;
using Berth.Web;

namespace Berth.Server.Api;

/// <summary>
/// The server's views for the dashboard and the read endpoints: jobs from the store, reasons and quota from the last
/// decision cycle, nodes with what holds each GPU. The paging cursor is a job's submit order (<see cref="JobRecord.Seq"/>).
/// </summary>
public sealed class ServerViews(ServerContext s) : IClusterViews
{
    public string Source => "server";

    public bool ReadOnly => false;

    public bool Logs => true;

    public JobList Jobs(JobQuery query, ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        long cursor = 0;
        if (query.After is { } after && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
        {
            throw new ViewException("after", "after is not a cursor; pass the 'next' value of the previous page");
        }

        var now = s.Time.GetUtcNow();
        var pending = s.Loop.Pending;
        var items = new List<JobView>(Math.Min(query.Limit, 1024));
        var total = 0;
        long last = 0;
        string? next = null;
        foreach (var j in s.Store.All())
        {
            if ((query.Queue is not null && j.Workload.Queue != query.Queue) || (query.State is { } state && j.State != state)
                || (query.User is not null && j.Spec.User != query.User) || !scope.CanSee(j.Workload.Queue))
            {
                continue;
            }

            total++;
            if (j.Seq <= cursor)
            {
                continue;
            }

            if (items.Count < query.Limit)
            {
                items.Add(JobViews.Of(j, pending.GetValueOrDefault(j.Id), now));
                last = j.Seq;
            }
            else
            {
                next ??= last.ToString(CultureInfo.InvariantCulture);
            }
        }

        return new JobList(items, next, total);
    }

    public JobView? Job(string id, ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var job = s.Store.Find(id);
        return job is null || !scope.CanSee(job.Workload.Queue)
            ? null
            : JobViews.Of(job, s.Loop.Pending.GetValueOrDefault(job.Id), s.Time.GetUtcNow(), s.Store.Events(job), s.Loop.Gpus) with
            {
                Reasons = s.Loop.Reasons.Of(job.Id),
                RightSizing = RightSizingEndpoints.AdviceOf(job, s).Advice?.Text,
                Runs = s.Store.Runs(job).Select(r => new RunView(r.Number, r.Started, r.Ended, r.Gpus ?? job.GpusRequested, r.Nodes.Split(',', StringSplitOptions.RemoveEmptyEntries), r.Outcome)).ToArray(),
            };
    }

    public IReadOnlyList<QueueView> Queues(ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var jobs = s.Store.Active();
        var quota = s.Loop.Quota;
        var configuration = s.Loop.Cluster.Configuration;
        return configuration.Queues.Where(q => scope.CanSee(q.Name)).OrderBy(q => q.Name, StringComparer.Ordinal).Select(q => QueueViews.Of(q, configuration, jobs, quota, s.Loop.ActivityOf)).ToArray();
    }

    /// <summary>Every cohort with the queues in it (those the scope may see) and their summed nominal quota and use.</summary>
    public IReadOnlyList<CohortView> Cohorts(ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var configuration = s.Loop.Cluster.Configuration;
        var quota = s.Loop.Quota;
        var jobs = s.Store.Active();
        var busy = configuration.Queues.Where(q => q.Cohort is not null).Select(q => QueueViews.Of(q, configuration, jobs, quota, s.Loop.ActivityOf)).Where(v => v.UsedGpus is not null).ToArray();
        return configuration.Cohorts.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c =>
        {
            var known = busy.Where(v => v.Cohort == c.Name).ToArray();
            var queues = configuration.Queues.Where(q => q.Cohort == c.Name).Select(q => q.Name).Order(StringComparer.Ordinal).ToArray();
            var rows = quota.Where(g => queues.Contains(g.Queue)).GroupBy(g => (g.Flavor, g.Resource))
                .OrderBy(g => g.Key.Flavor, StringComparer.Ordinal).ThenBy(g => g.Key.Resource, StringComparer.Ordinal)
                .Select(g => new QuotaView(g.Key.Flavor, g.Key.Resource, g.Sum(x => x.Nominal), g.Sum(x => x.Used))
                {
                    Borrowed = g.Sum(x => Math.Max(0, x.Used - x.Nominal)),
                }).ToArray();
            return new CohortView(c.Name, c.Parent, queues.Where(scope.CanSee).ToArray(), rows)
            {
                Weight = c.Weight,
                OwnGpus = c.Quotas.Where(f => f.Gpu is not null).ToDictionary(f => f.Flavor, f => f.Gpu!.Nominal / 1000.0, StringComparer.Ordinal),
                UsedGpus = known.Length > 0 ? Math.Round(known.Sum(v => v.UsedGpus!.Value), 3) : null,
                IdleGpus = known.Length > 0 ? Math.Round(known.Sum(v => v.IdleGpus!.Value), 3) : null,
            };
        }).ToArray();
    }

    public IReadOnlyList<NodeView> Nodes(ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var holders = new Dictionary<(string Node, int Gpu), List<GpuHolder>>();
        var jobsOn = new Dictionary<(string Node, int Gpu), List<(Jobs.JobRecord Job, double Share)>>();
        foreach (var job in s.Store.Active().Where(j => j.HoldsGpus))
        {
            foreach (var b in job.Bindings)
            {
                foreach (var g in Gpus.Indices(b.GpuMask))
                {
                    if (!holders.TryGetValue((b.Node, g), out var list))
                    {
                        holders[(b.Node, g)] = list = [];
                        jobsOn[(b.Node, g)] = [];
                    }

                    jobsOn[(b.Node, g)].Add((job, b.GpuMilli / 1000.0));

                    // A caller sees that a GPU is taken, not by whom outside its queues.
                    list.Add(scope.CanSee(job.Workload.Queue) ? new GpuHolder(job.Id, b.Pod, b.GpuMilli / 1000.0) : new GpuHolder("(other queue)", string.Empty, b.GpuMilli / 1000.0));
                }
            }
        }

        var cordoned = s.Store.Cordoned;
        var unhealthy = s.Loop.Gpus?.UnhealthyGpuMask ?? 0;
        return s.Cluster.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => new NodeView(
            n.Name,
            n.CpuMilli / 1000.0,
            Math.Round(n.MemoryMiB / 1024.0, 3),
            n.Labels,
            Enumerable.Range(0, n.GpuCount).Select(g =>
            {
                var held = holders.GetValueOrDefault((n.Name, g)) ?? [];
                return new GpuView(g, n.GpuModel ?? "gpu", Math.Max(0, 1 - held.Sum(h => h.Share)), held)
                {
                    Healthy = n.Name != Executors.LocalMachine.NodeName || (unhealthy & (1 << g)) == 0,
                    Activity = held.Count == 0 ? null : Telemetry.GpuActivityOf.Gpu(n.Name, g, jobsOn[(n.Name, g)], s.Loop.Gpus) is { } busy ? Math.Round(busy, 3) : null,
                };
            }).ToArray(),
            cordoned.Contains(n.Name),
            s.Store.NodeEvents(n.Name, 1) is [var last] ? new EventView(last.At, last.Kind, last.Message) : null)).ToArray();
    }

    public TimelineView Timeline(ViewScope scope, DateTimeOffset? since) =>
        new(s.Cluster.Nodes.Sum(n => n.GpuCount), s.Loop.Timeline.Since(since));

    public ChangeSubscription Subscribe(ViewScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var reader = s.Store.Changes.Subscribe();
        return new ChangeSubscription(Read(reader, scope, default), () => s.Store.Changes.Unsubscribe(reader));
    }

    private static async IAsyncEnumerable<ChangeView> Read(System.Threading.Channels.ChannelReader<(JobRecord Job, JobEvent Event)> reader, ViewScope scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (job, e) in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (scope.CanSee(job.Workload.Queue))
            {
                yield return new ChangeView(job.Id, job.Workload.Queue, job.State, e.At, e.Kind, e.Message);
            }
        }
    }
}
