using System.Globalization;
using System.Text;
using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.Model.Gpus;
using Berth.Simulation.Generation;
using Berth.Simulation.Input;

namespace Berth.Simulation.Sharing;

/// <summary>
/// Issue 15's evidence 7a: the inference workload of <see cref="InferenceWorkloadGenerator"/> run three ways on the same
/// GPUs: MIG with re-partitioning (layouts start as the static ones and change on demand), static MIG layouts (an
/// operator's layouts sized for the average mix), and whole GPUs (every model server takes a GPU). A request that
/// finds no room waits up to <see cref="MaxWaitSeconds"/>, first in first out, then counts as not served. A
/// re-partition delays the pod's start by the re-partition time, during which it holds its instance.
/// </summary>
public static class MigComparison
{
    /// <summary>How long a request waits for room before it counts as not served.</summary>
    public const long MaxWaitSeconds = 300;

    /// <summary>
    /// The static layouts of an 8-GPU node, sized for the default mix's average memory-slice demand (about 58% for
    /// 3g, 27% for 2g, 15% for 1g): four GPUs of two 3g, three of three 2g and a 1g, one of seven 1g.
    /// GPUs past the eighth repeat the pattern.
    /// </summary>
    public static MigLayout StaticLayout(MigGeometry geometry, int gpu)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        string Name(int compute) => geometry.Profiles.Where(p => p.ComputeSlices == compute && !p.MediaExtensions).MinBy(p => p.MemorySlices)!.Name;
        var layout = (gpu % 8) switch
        {
            < 4 => new[] { $"{Name(3)}@0", $"{Name(3)}@4" },
            < 7 => [$"{Name(2)}@0", $"{Name(2)}@2", $"{Name(2)}@4", $"{Name(1)}@6"],
            _ => Enumerable.Range(0, 7).Select(s => $"{Name(1)}@{s}").ToArray(),
        };
        return MigLayout.Parse(layout);
    }

    /// <summary>The three runs, in the order re-partitioning, static layouts, whole GPUs.</summary>
    public static IReadOnlyList<MigRunSummary> Run(InferenceWorkloadOptions options, long repartitionSeconds)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (repartitionSeconds < 0)
        {
            throw new ArgumentException($"re-partition time is {repartitionSeconds} s; use 0 or more", nameof(repartitionSeconds));
        }

        var requests = InferenceWorkloadGenerator.Generate(options);
        MigGeometries.TryGet(options.GpuModel, out var geometry);
        var layouts = Enumerable.Range(0, options.GpusPerNode).Select(g => StaticLayout(geometry, g)).ToArray();
        var compute = requests.Select(r => geometry.TryGetProfile(r.Pod.MigProfile!, out var p) ? (double)p.ComputeSlices / geometry.ComputeSlices : 0).ToArray();
        var whole = requests.Select(r => r with { Pod = r.Pod with { MigProfile = null, MigCount = 0, GpuCount = 1, GpuMilli = Limits.GpuMilliPerGpu } }).ToArray();
        return
        [
            RunOne("re-partitioning", InferenceWorkloadGenerator.Cluster(options, _ => GpuSharing.Mig(layouts, repartition: true)), requests, compute, repartitionSeconds),
            RunOne("static layouts", InferenceWorkloadGenerator.Cluster(options, _ => GpuSharing.Mig(layouts)), requests, compute, repartitionSeconds),
            RunOne("whole GPUs", InferenceWorkloadGenerator.Cluster(options, _ => GpuSharing.Exclusive), whole, compute, repartitionSeconds),
        ];
    }

    /// <summary>The runs as a Markdown table, for docs/PERFORMANCE.md.</summary>
    public static string Table(IReadOnlyList<MigRunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder();
        text.AppendLine("| Placement | Served | Idle GPU capacity (GPUs) | Empty GPUs | Re-partitions | MIG fragmentation |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Mode} | {r.Served:N0} / {r.Requests:N0} ({r.ServedPercent:F1}%) | {r.MeanIdleGpus:F1} of {r.Gpus} | {r.MeanEmptyGpus:F1} | {r.Repartitions:N0} | {r.MeanMigFragmentPercent:F1}% |"));
        }

        return text.ToString();
    }

    private static MigRunSummary RunOne(string mode, IReadOnlyList<Node> nodes, IReadOnlyList<TracePod> requests, double[] compute, long repartitionSeconds)
    {
        var cluster = new ClusterState(nodes);
        var placer = new Placer(PlacementPolicies.Get(PlacementPolicies.Default), new PluginContext(cluster, TargetWorkload.FromPods(requests.Select(r => r.Pod).ToArray())), seed: 1);
        var events = new PriorityQueue<(int Kind, int Request), (long Time, long Sequence)>();
        long sequence = 0;
        const int Arrival = 0, Departure = 1, Timeout = 2;
        for (var i = 0; i < requests.Count; i++)
        {
            events.Enqueue((Arrival, i), (requests[i].CreationTime!.Value, sequence++));
        }

        var node = new int[requests.Count];
        var mask = new int[requests.Count];
        var waiting = new LinkedList<int>();
        var waitingNode = new LinkedListNode<int>?[requests.Count];
        int served = 0, repartitions = 0;
        double idleArea = 0, emptyArea = 0, fragmentArea = 0, needed = 0;
        var first = requests[0].CreationTime!.Value;
        var last = requests[^1].CreationTime!.Value;
        var previous = first;
        var gpus = cluster.TotalGpus;

        while (events.TryDequeue(out var e, out var at))
        {
            var now = at.Time;
            if (now > previous && previous < last)
            {
                // The state held since the previous event, counted up to the last arrival.
                var span = Math.Min(now, last) - previous;
                idleArea += span * (gpus - needed);
                emptyArea += span * EmptyGpus(cluster);
                fragmentArea += span * cluster.Shared.MigFragmentPercent();
            }

            previous = Math.Max(previous, now);
            switch (e.Kind)
            {
                case Arrival when TryPlace(e.Request, now):
                    break;
                case Arrival:
                    waitingNode[e.Request] = waiting.AddLast(e.Request);
                    events.Enqueue((Timeout, e.Request), (now + MaxWaitSeconds, sequence++));
                    break;
                case Departure:
                    placer.Unreserve(requests[e.Request].Pod, node[e.Request], mask[e.Request]);
                    needed -= compute[e.Request];
                    for (var w = waiting.First; w is not null;)
                    {
                        var next = w.Next;
                        if (placer.CanHost(requests[w.Value].Pod, node[e.Request]) && TryPlace(w.Value, now))
                        {
                            waiting.Remove(w);
                            waitingNode[w.Value] = null;
                        }

                        w = next;
                    }

                    break;
                case Timeout when waitingNode[e.Request] is { } gone:
                    waiting.Remove(gone);
                    waitingNode[e.Request] = null;
                    break;
            }
        }

        var window = Math.Max(1, last - first);
        return new MigRunSummary(mode, requests.Count, served, idleArea / window, emptyArea / window, repartitions, fragmentArea / window, gpus);

        bool TryPlace(int request, long now)
        {
            var result = placer.Place(requests[request].Pod);
            if (!result.Placed)
            {
                return false;
            }

            served++;
            needed += compute[request];
            repartitions += result.MigRepartitions;
            node[request] = result.NodeIndex;
            mask[request] = result.GpuMask;
            var run = requests[request].DeletionTime!.Value - requests[request].CreationTime!.Value;
            events.Enqueue((Departure, request), (now + (result.MigRepartitions * repartitionSeconds) + run, sequence++));
            return true;
        }
    }

    private static int EmptyGpus(ClusterState cluster)
    {
        var idle = 0;
        for (var n = 0; n < cluster.NodeCount; n++)
        {
            foreach (var free in cluster.GpuFreeOf(n))
            {
                idle += free == Limits.GpuMilliPerGpu ? 1 : 0;
            }
        }

        return idle;
    }
}
