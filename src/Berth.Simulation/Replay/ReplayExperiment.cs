using Berth.Engine.Fragmentation;
using Berth.Engine.Framework;
using Berth.Engine.Policies;
using Berth.Model;
using Berth.Simulation.Clock;
using Berth.Simulation.Input;
using Berth.Simulation.Metrics;

namespace Berth.Simulation.Replay;

/// <summary>
/// Replays a pod trace in time on a <see cref="VirtualClock"/>: pods arrive at their creation time and
/// run for (deletion - creation) seconds once placed. A pod that fits nowhere waits in a FIFO queue; when
/// capacity frees, the queue is retried in order and every waiting pod that now fits is placed
/// (best-effort FIFO: a large head does not block smaller pods behind it). Pods still waiting at the end
/// count as failed. Samples are binned by arrived GPU demand (% of capacity), as in the inflation protocol,
/// and taken until the last pod arrives: the drain after it says nothing about placement, and counting it
/// in the last bin would show the allocation falling there.
/// </summary>
public static class ReplayExperiment
{
    public static RunResult Run(SimulationInput input, string policy, int seed, ReplayOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= new ReplayOptions();
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        var profile = PlacementPolicies.Get(policy);
        var pods = input.Pods;
        for (var i = 0; i < pods.Count; i++)
        {
            if (pods[i].CreationTime is null)
            {
                throw new InputException(input.Name, 0, "creation_time",
                    $"pod '{pods[i].Pod.Name}' has no creation_time; replay needs arrival times (use --mode inflation for lists without times)");
            }
        }

        var cluster = new ClusterState(input.Nodes);
        var context = new PluginContext(cluster, TargetWorkload.FromPods(input.PodSpecs, options.TypicalPodCoverage));
        var placer = new Placer(profile, context, seed);
        var fragments = new FragmentationTracker(cluster, context.Fragments);
        var clock = new VirtualClock();
        var events = new PriorityQueue<ReplayEvent, ReplayEvent>();
        long sequence = 0;
        for (var i = 0; i < pods.Count; i++)
        {
            var e = new ReplayEvent(pods[i].CreationTime!.Value, ReplayEventKind.Arrival, i, sequence++);
            events.Enqueue(e, e);
        }

        var totalDemand = input.PodSpecs.Sum(p => p.GpuDemandMilli);
        var capacity = (double)cluster.TotalGpuMilli;
        var maxBin = capacity > 0 ? (int)Math.Ceiling(100 * totalDemand / capacity) : 0;
        var curve = new BinnedCurve(Math.Max(maxBin, 130));
        var hash = new EventLogHash();
        var waiting = new LinkedList<int>();
        var placedNode = new int[pods.Count];
        var placedMask = new int[pods.Count];
        Array.Fill(placedNode, -1);
        long arrived = 0;
        var processed = 0;
        var repartitions = 0;
        double migFragment = 0;
        var migSamples = 0;
        var hasMig = input.Nodes.Any(n => n.Sharing.Mode == Model.Gpus.GpuSharingMode.Mig);
        var arrivalsLeft = pods.Count;
        var totalEvents = pods.Count * 2;
        var start = pods.Min(p => p.CreationTime!.Value);
        clock.AdvanceTo(0);

        while (events.TryDequeue(out var e, out _))
        {
            clock.AdvanceTo(e.Time - start);
            if (e.Kind == ReplayEventKind.Arrival)
            {
                arrived += pods[e.Pod].Pod.GpuDemandMilli;
                if (!TryPlace(e.Pod))
                {
                    waiting.AddLast(e.Pod);
                }
            }
            else
            {
                var pod = pods[e.Pod].Pod;
                placer.Unreserve(pod, placedNode[e.Pod], placedMask[e.Pod]);
                fragments.Refresh(placedNode[e.Pod]);
                hash.Add(-2);
                hash.Add(e.Pod);
                var freed = placedNode[e.Pod];
                placedNode[e.Pod] = -1;
                RetryWaiting(freed);
            }

            if (e.Kind == ReplayEventKind.Arrival)
            {
                arrivalsLeft--;
            }

            if (capacity > 0 && (arrivalsLeft > 0 || e.Kind == ReplayEventKind.Arrival))
            {
                curve.Add(100 * arrived / capacity, 100 * cluster.AllocatedGpuMilli / capacity,
                    100 * fragments.FragmentOfCapacity, 100 * fragments.FragmentOfIdle, waiting.Count);
            }

            if (hasMig && (arrivalsLeft > 0 || e.Kind == ReplayEventKind.Arrival))
            {
                migFragment += cluster.Shared.MigFragmentPercent();
                migSamples++;
            }

            options.Progress?.Invoke(++processed, totalEvents);
        }

        return new RunResult
        {
            Trace = input.Name,
            Policy = policy,
            Seed = seed,
            Mode = "replay",
            Curve = curve.Points(),
            SubmittedPods = pods.Count,
            FailedPods = waiting.Count,
            FinalAllocationPercent = capacity > 0 ? 100 * cluster.AllocatedGpuMilli / capacity : 0,
            WallSeconds = time.GetElapsedTime(started).TotalSeconds,
            EventLogHash = hash.Value,
            MigRepartitions = repartitions,
            MigFragmentPercent = migSamples > 0 ? migFragment / migSamples : 0,
        };

        bool TryPlace(int index)
        {
            var result = placer.Place(pods[index].Pod);
            hash.Add(index);
            if (!result.Placed)
            {
                hash.Add(-1);
                return false;
            }

            hash.Add(result.NodeIndex);
            hash.Add(result.GpuMask);
            fragments.Refresh(result.NodeIndex);
            placedNode[index] = result.NodeIndex;
            placedMask[index] = result.GpuMask;
            repartitions += result.MigRepartitions;
            var trace = pods[index];
            if (trace.DeletionTime is { } deletion)
            {
                // A re-partition delays the start; the pod holds its instance from now.
                var runFor = Math.Max(0, deletion - trace.CreationTime!.Value) + (result.MigRepartitions * options.MigRepartitionSeconds);
                var leave = new ReplayEvent(clock.Seconds + start + runFor, ReplayEventKind.Departure, index, sequence++);
                events.Enqueue(leave, leave);
            }

            return true;
        }

        // Since a waiting pod last failed, every node but the freed one only lost capacity: a waiting pod
        // can fit now only if it fits on the freed node, which is cheap to check before a full decision.
        void RetryWaiting(int freedNode)
        {
            var node = waiting.First;
            while (node is not null)
            {
                var next = node.Next;
                if (placer.CanHost(pods[node.Value].Pod, freedNode) && TryPlace(node.Value))
                {
                    waiting.Remove(node);
                }

                node = next;
            }
        }
    }
}
