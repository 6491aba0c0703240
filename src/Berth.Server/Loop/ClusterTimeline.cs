using Berth.Model;
using Berth.Runtime.Lifecycle;
using Berth.Web;

namespace Berth.Server.Loop;

/// <summary>
/// The cluster's GPUs over time for the dashboard, a point per decision cycle computed from the running jobs, kept
/// by a <see cref="TimelineWindow"/> (the operator's too). Thread-safe.
/// </summary>
public sealed class ClusterTimeline
{
    private readonly TimelineWindow _window = new();

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
            var share = job.GpusHeld;
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
        _window.Add(point);
    }

    public IReadOnlyList<TimelinePoint> Since(DateTimeOffset? since) => _window.Since(since);

    private static double Round(double gpus) => Math.Round(gpus, 3);
}
