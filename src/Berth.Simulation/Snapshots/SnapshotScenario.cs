using System.Globalization;
using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Cycle;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.View;
using Berth.Simulation.Clock;
using Berth.Simulation.Input;
using Berth.Simulation.Scenarios;

namespace Berth.Simulation.Snapshots;

/// <summary>
/// Turns the <see cref="ClusterView"/> of a live cluster (a driver reads it from a snapshot the way its controller
/// reads the cluster) into a <see cref="Scenario"/> the job replay runs:
/// 1. the queueing configuration, with the what-if quota changes laid over it;
/// 2. every node; running workloads admitted at time 0 where their pods are, for the run time they have left
///    (those the controller would requeue, from an unready node or an unhealthy GPU, start pending instead);
/// 3. capacity of pods Berth does not manage (and unhealthy GPUs) withheld for the whole run;
/// 4. pending workloads submitted at time 0 in creation order (then id);
/// 5. run time: the expected run time, else the max run time, else <see cref="SnapshotSimulationOptions.DefaultRuntime"/>.
/// Workloads the controller cannot try (invalid, no queue, an incomplete gang) are left out with a note.
/// </summary>
public static class SnapshotScenario
{
    public static Scenario Build(ClusterView view, SnapshotSimulationOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(options);
        if (options.DefaultRuntime <= TimeSpan.Zero)
        {
            throw new InputException("--default-runtime must be positive, e.g. 1h");
        }

        var notes = new List<string>();
        var nodeByName = view.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);

        // 1. Queues.
        var config = view.Configuration;
        if (config.Queues.Count == 0 || config.Flavors.Count == 0)
        {
            throw new InputException($"the snapshot has no valid {(config.Queues.Count == 0 ? "Queue" : "Flavor")}, so nothing could be admitted; take the snapshot of a cluster with Berth's Queues and Flavors (berth.dev/v1alpha1)");
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

        // 2. Sort the workloads: running (restored in place, or held in place when no queue can be charged), pending, left out.
        var nodes = view.Nodes.Select(n => n.Scheduled).ToArray();
        var running = new List<RunningWorkload>();
        var unchargeable = new List<ViewWorkload>();
        var pending = new List<Workload>();
        var skipped = new List<string>();
        var overdue = 0;
        foreach (var seen in view.Workloads.OrderBy(w => w.Created).ThenBy(w => w.Workload.Id, StringComparer.Ordinal))
        {
            var read = seen.Running && seen.Problem is null ? seen with { Workload = RunningShape.AsAdmitted(seen) } : seen;
            var id = read.Workload.Id;
            if (ProblemOf(read) is { } problem)
            {
                skipped.Add($"{id} ({problem})");
                if (read.Running)
                {
                    unchargeable.Add(read);
                }

                continue;
            }

            var runtime = read.Workload.ExpectedRunTime ?? read.Workload.MaxRunTime ?? options.DefaultRuntime;
            var requeued = read.Running ? WorkloadLifecycle.UnhealthyMember(read, nodeByName) : null;
            if (!read.Running || requeued is not null)
            {
                if (!config.Queues.Any(q => q.Name == read.Workload.Queue))
                {
                    skipped.Add($"{id} (queue {read.Workload.Queue} does not exist or is not valid)");
                    continue;
                }

                if (requeued is not null)
                {
                    notes.Add($"{id} runs but the controller would requeue it ({requeued}); it starts pending");
                }

                pending.Add(read.Workload with { SubmitTime = TimeSpan.Zero, Duration = runtime });
                continue;
            }

            var flavor = RunningShape.FlavorOf(read, view.Configuration, nodeByName);
            if (flavor is null || !config.Queues.Any(q => q.Name == read.Workload.Queue))
            {
                notes.Add($"{id} runs but no flavor of queue {read.Workload.Queue} matches its nodes; its pods hold their capacity, charged to no queue");
                unchargeable.Add(read);
                continue;
            }

            var since = read.Memo?.AdmittedAt ?? read.Created;
            var elapsed = since < view.Now ? TimeSpan.FromSeconds(Math.Floor((view.Now - since).TotalSeconds)) : TimeSpan.Zero;
            var left = runtime - elapsed;
            if (left <= TimeSpan.Zero)
            {
                overdue++;
                left = TimeSpan.Zero;
            }

            var pods = read.Members.Where(p => p.Bound).Select(p => new RestoredPod(p.PodSet, p.Node!, p.GpuMask ?? 0)).ToList();
            running.Add(new RunningWorkload(read.Workload with { SubmitTime = TimeSpan.Zero, Duration = left }, flavor, pods) { Elapsed = elapsed });
        }

        // 3. As the controller builds its engine: running workloads restored first, then the capacity no queue
        // is charged for. A pod that does not fit where it is said to be is placed afresh at time 0; a held pod that does
        // not fit beside the restored ones is left out (the controller does not count it either).
        // (Workloads whose pods carry GPU indices first: pods another scheduler placed take the lowest free GPUs after them.)
        running = running
            .OrderBy(r => r.Pods.Any(p => p.GpuMask == 0 && r.Workload.PodSets[p.PodSet].Template.GpuCount > 0))
            .ThenBy(r => r.Workload.Id, StringComparer.Ordinal)
            .ToList();
        var trial = new AdmissionScheduler(nodes, config, AdmissionOptions.Default, new VirtualClock());
        for (var i = 0; i < running.Count; i++)
        {
            var r = running[i];
            trial.Restore(r.Workload, r.Flavor, r.Pods, -r.Elapsed, out var misfits, r.Workload.PodSets.Select(s => s.Count).ToArray());
            if (misfits.Count > 0)
            {
                var kept = r.Pods.ToList();
                foreach (var misfit in misfits)
                {
                    kept.Remove(misfit);
                }

                running[i] = r with { Pods = kept };
                notes.Add($"{r.Workload.Id}: {misfits.Count} pod(s) do not fit where they are in Berth's view; placed afresh at time 0");
            }
        }

        var candidates = Withholding.Listed(view).Select(h => new WithheldPod(h.Node, h.Request, h.GpuMask)).Concat(unchargeable.SelectMany(HeldInPlace));
        var withheld = new List<WithheldPod>();
        foreach (var held in candidates)
        {
            if (trial.Withhold(held.Node, held.Pod, held.GpuMask))
            {
                withheld.Add(held);
            }
            else
            {
                notes.Add($"pod {held.Pod.Name} on {held.Node} asks for more than the node has free beside Berth's workloads; left out");
            }
        }

        if (skipped.Count > 0)
        {
            notes.Add($"{skipped.Count} workload(s) left out, the controller cannot try them: {string.Join("; ", skipped.Take(5))}{(skipped.Count > 5 ? "; ..." : string.Empty)}");
        }

        if (overdue > 0)
        {
            notes.Add($"{overdue} running workload(s) have run past their run time; they end at time 0");
        }

        notes.AddRange(view.Warnings.Select(w => $"warning: {w}"));
        return new Scenario(name)
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"snapshot taken {view.Now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z: {running.Count} running, {pending.Count} pending"),
            NodeGroups = GroupsOf(nodes),
            Nodes = nodes,
            Queues = config,
            Workloads = pending,
            Running = running,
            Withheld = withheld,
            Notes = notes,
        };
    }

    /// <summary>The bound pods of a running workload that cannot be charged to a queue: they hold their capacity.</summary>
    private static IEnumerable<WithheldPod> HeldInPlace(ViewWorkload read)
    {
        if (read.Workload.PodSets.Count == 0)
        {
            yield break;
        }

        foreach (var bound in read.Members.Where(m => m.Bound))
        {
            var pod = read.Workload.PodSets[Math.Min(bound.PodSet, read.Workload.PodSets.Count - 1)].Template;
            yield return new WithheldPod(bound.Node!, pod, bound.GpuMask is { } mask && mask != 0 ? mask : null);
        }
    }

    /// <summary>Why the controller cannot try a workload (invalid, no queue, an incomplete gang); null when it can.</summary>
    private static string? ProblemOf(ViewWorkload workload) =>
        workload.Problem is { } p ? $"{p.Code}: {p.Message}" : workload.MissingMembers > 0 ? $"GangIncomplete: it needs {workload.MissingMembers} more pods" : null;

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
