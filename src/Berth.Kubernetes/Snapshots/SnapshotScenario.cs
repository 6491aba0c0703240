using System.Globalization;
using Berth.Engine.Admission;
using Berth.Kubernetes.Controller;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Simulation.Clock;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Kubernetes.Snapshots;

/// <summary>
/// Turns a snapshot of a live cluster into a <see cref="Scenario"/> the job replay runs, read the way the
/// controller reads it (<see cref="DecisionPlanner.Read"/>):
/// 1. the queueing configuration, with the what-if quota changes laid over it;
/// 2. every node; capacity of pods Berth does not manage (and unhealthy GPUs) withheld for the whole run;
/// 3. running workloads admitted at time 0 where their pods are, for the run time they have left;
/// 4. pending workloads submitted at time 0 in creation order (then id);
/// 5. run time: the expected run time, else the max run time, else <see cref="SnapshotSimulationOptions.DefaultRuntime"/>.
/// Workloads the controller cannot try (invalid, no queue, an incomplete gang) are left out with a note.
/// </summary>
public static class SnapshotScenario
{
    public static Scenario Build(ClusterSnapshot snapshot, SnapshotSimulationOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        if (options.DefaultRuntime <= TimeSpan.Zero)
        {
            throw new InputException("--default-runtime must be positive, e.g. 1h");
        }

        var reading = DecisionPlanner.Read(snapshot, new ControllerOptions { DefaultQueue = options.DefaultQueue });
        var notes = new List<string>();

        // 1. Queues.
        var config = reading.Configuration;
        if (config.Queues.Count == 0 || config.Flavors.Count == 0)
        {
            throw new InputException($"the snapshot has no valid {(config.Queues.Count == 0 ? "Queue" : "Flavor")}, so nothing could be admitted; take the snapshot of a cluster with Berth's Queues and Flavors ({KubernetesNames.ApiVersion})");
        }

        foreach (var change in options.Quotas)
        {
            config = change.Apply(config);
            notes.Add($"what-if: nominal quota {change}");
        }

        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InputException($"the quotas after --set-quota are not valid: {e.Message}");
        }

        // 2. Nodes and the capacity no queue is charged for.
        var nodes = reading.Nodes;
        var trial = new AdmissionScheduler(nodes, config, AdmissionOptions.Default, new VirtualClock());
        var withheld = new List<WithheldPod>();
        foreach (var held in reading.Held)
        {
            if (trial.Withhold(held.Node, held.Pod, held.GpuMask))
            {
                withheld.Add(new WithheldPod(held.Node, held.Pod, held.GpuMask));
            }
            else
            {
                notes.Add($"pod {held.Pod.Name} on {held.Node} asks for more than the node has free; left out");
            }
        }

        // 3. Running workloads, and 4. pending ones.
        var running = new List<RunningWorkload>();
        var pending = new List<Workload>();
        var skipped = new List<string>();
        var overdue = 0;
        foreach (var read in reading.Workloads.OrderBy(w => w.Created).ThenBy(w => w.Workload.Id, StringComparer.Ordinal))
        {
            if (read.Problem is not null)
            {
                skipped.Add($"{read.Workload.Id} ({read.Problem})");
                if (read.Running)
                {
                    HoldInPlace(read, trial, withheld);
                }

                continue;
            }

            var runtime = read.Workload.ExpectedRunTime ?? read.Workload.MaxRunTime ?? options.DefaultRuntime;
            if (!read.Running)
            {
                if (!config.Queues.Any(q => q.Name == read.Workload.Queue))
                {
                    skipped.Add($"{read.Workload.Id} (queue {read.Workload.Queue} does not exist or is not valid)");
                    continue;
                }

                pending.Add(read.Workload with { SubmitTime = TimeSpan.Zero, Duration = runtime });
                continue;
            }

            var since = read.AdmittedAt ?? read.Created;
            var elapsed = since < snapshot.Now ? TimeSpan.FromSeconds(Math.Floor((snapshot.Now - since).TotalSeconds)) : TimeSpan.Zero;
            var left = runtime - elapsed;
            if (left <= TimeSpan.Zero)
            {
                overdue++;
                left = TimeSpan.Zero;
            }

            var workload = read.Workload with { SubmitTime = TimeSpan.Zero, Duration = left };
            if (read.Flavor is null || !config.Queues.Any(q => q.Name == workload.Queue))
            {
                notes.Add($"{workload.Id} runs but no flavor of queue {workload.Queue} matches its nodes; its pods hold their capacity, charged to no queue");
                HoldInPlace(read, trial, withheld);
                continue;
            }

            var pods = read.BoundPods.Select(p => new RestoredPod(p.PodSet, p.Node, DecisionPlanner.MaskOf(p.Gpus))).ToList();
            trial.Restore(workload, read.Flavor, pods, -elapsed, out var misfits, workload.PodSets.Select(s => s.Count).ToArray());
            if (misfits.Count > 0)
            {
                // Placed afresh at time 0 (a pod bound without GPU indices, or beyond what Berth's view has free).
                foreach (var misfit in misfits)
                {
                    pods.Remove(misfit);
                }

                notes.Add($"{workload.Id}: {misfits.Count} pod(s) do not fit where they are in Berth's view; placed afresh at time 0");
            }

            running.Add(new RunningWorkload(workload, read.Flavor, pods) { Elapsed = elapsed });
        }

        if (skipped.Count > 0)
        {
            notes.Add($"{skipped.Count} workload(s) left out, the controller cannot try them: {string.Join("; ", skipped.Take(5))}{(skipped.Count > 5 ? "; ..." : string.Empty)}");
        }

        if (overdue > 0)
        {
            notes.Add($"{overdue} running workload(s) have run past their run time; they end at time 0");
        }

        notes.AddRange(reading.Warnings.Select(w => $"warning: {w}"));
        return new Scenario(name)
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"snapshot taken {snapshot.Now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: {running.Count} running, {pending.Count} pending"),
            NodeGroups = GroupsOf(nodes),
            Nodes = nodes,
            Queues = config,
            Workloads = pending,
            Running = running,
            Withheld = withheld,
            Notes = notes,
        };
    }

    /// <summary>A running workload that cannot be charged to a queue: its bound pods still hold their capacity.</summary>
    private static void HoldInPlace(ReadWorkload read, AdmissionScheduler trial, List<WithheldPod> withheld)
    {
        if (read.Workload.PodSets.Count == 0)
        {
            return;
        }

        foreach (var (set, node, gpus) in read.BoundPods)
        {
            var pod = read.Workload.PodSets[Math.Min(set, read.Workload.PodSets.Count - 1)].Template;
            int? mask = gpus.Count > 0 ? DecisionPlanner.MaskOf(gpus) : null;
            if (trial.Withhold(node, pod, mask))
            {
                withheld.Add(new WithheldPod(node, pod, mask));
            }
        }
    }

    /// <summary>
    /// The GPU nodes as groups of one shape (GPUs, model, CPU, memory), most numerous first, each with the labels of
    /// its first node: the template a queue's alone run (sharing safety) sizes its cluster from.
    /// </summary>
    private static IReadOnlyList<NodeGroup> GroupsOf(IReadOnlyList<Node> nodes) =>
        nodes.Where(n => n.GpuCount > 0)
            .GroupBy(n => (n.GpuCount, n.GpuModel, n.CpuMilli, n.MemoryMiB))
            .Select(g => (Shape: g.Key, First: g.OrderBy(n => n.Name, StringComparer.Ordinal).First(), Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.First.Name, StringComparer.Ordinal)
            .Select(g => new NodeGroup(g.First.Name, g.Count, g.Shape.GpuCount, g.Shape.GpuModel, g.Shape.CpuMilli, g.Shape.MemoryMiB)
            {
                Labels = g.First.Labels.Where(l => l.Key != "kubernetes.io/hostname").ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
            })
            .ToArray();
}
