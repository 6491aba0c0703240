using Berth.Model;
using Berth.Runtime.Lifecycle;
using Berth.Web;

namespace Berth.Server.Loop;

/// <summary>
/// The cluster's GPUs over time for the dashboard, one point per decision cycle that changed something (or after
/// <see cref="Every"/> of server time), the last <see cref="Capacity"/> kept in memory: derived, so a restart starts a
/// new window. Thread-safe.
/// </summary>
public sealed class ClusterTimeline
{
    public const int Capacity = 4096;

    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Queue<TimelinePoint> _points = new();
    private TimelinePoint? _last;

    /// <summary>
    /// Adds a point computed from the running jobs' bindings on <paramref name="nodes"/>; <paramref name="activity"/>
    /// gives a job's GPU activity (measured by nvidia-smi, else stated), null where unknown: such jobs count as
    /// allocated, never as used or idle.
    /// </summary>
    public void Record(DateTimeOffset now, IReadOnlyList<Node> nodes, IEnumerable<Jobs.JobRecord> running, Func<Jobs.JobRecord, double?> activity)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(activity);
        var held = new Dictionary<(string Node, int Gpu), int>();
        double allocated = 0, known = 0, used = 0;
        foreach (var job in running)
        {
            var share = job.Bindings.Sum(b => Gpus.Indices(b.GpuMask).Count * b.GpuMilli / (double)Limits.GpuMilliPerGpu);
            allocated += share;
            if (activity(job) is { } busy)
            {
                known += share;
                used += share * busy;
            }

            foreach (var b in job.Bindings)
            {
                foreach (var g in Gpus.Indices(b.GpuMask))
                {
                    held[(b.Node, g)] = held.GetValueOrDefault((b.Node, g)) + b.GpuMilli;
                }
            }
        }

        double total = nodes.Sum(n => n.GpuCount), fragmented = 0;
        foreach (var ((_, _), milli) in held)
        {
            if (milli < Limits.GpuMilliPerGpu)
            {
                fragmented += (Limits.GpuMilliPerGpu - milli) / (double)Limits.GpuMilliPerGpu;
            }
        }

        var point = new TimelinePoint(now, Round(allocated), Round(Math.Max(0, total - allocated)), Round(fragmented), Round(known - used), known > 0 ? Round(used) : null);
        lock (_gate)
        {
            if (_last is { } last && last with { At = now } == point && now - last.At < Every)
            {
                return;
            }

            _points.Enqueue(point);
            _last = point;
            while (_points.Count > Capacity)
            {
                _points.Dequeue();
            }
        }
    }

    public IReadOnlyList<TimelinePoint> Since(DateTimeOffset? since)
    {
        lock (_gate)
        {
            return since is { } from ? _points.Where(p => p.At >= from).ToArray() : _points.ToArray();
        }
    }

    private static double Round(double gpus) => Math.Round(gpus, 3);
}
