using Berth.Engine.Admission;
using Berth.Model;
using Berth.Model.Queueing;
using Berth.Runtime.Lifecycle;
using Berth.Runtime.Plan;
using Berth.Runtime.View;

namespace Berth.Runtime.Cycle;

/// <summary>The admission cycle and what it asks of the cluster: requeues, admissions, bindings, pending reasons, gauges.</summary>
public sealed partial class DecisionCycle
{
    private void Admit()
    {
        var engine = _engine;
        engine.Schedule();
        var evictedBy = new Dictionary<string, AdmissionEvent>(StringComparer.Ordinal);
        var stopped = new Dictionary<string, AdmissionEvent>(StringComparer.Ordinal);
        foreach (var e in engine.DrainEvents())
        {
            if (e.Kind == AdmissionEventKind.Evicted)
            {
                evictedBy[e.Workload] = e;
            }
            else if (e.Kind == AdmissionEventKind.Idle)
            {
                _plan.Steps.Add(new IdleStep(e.Workload, e.Detail));
            }
            else if (e.Kind == AdmissionEventKind.Failed && e.Reason == IdleGpus.ReclaimedReason)
            {
                stopped[e.Workload] = e;
            }
        }

        // Workloads whose idle GPUs were reclaimed stop for good; their nodes are contended until their pods are gone.
        foreach (var workload in _view.Workloads.Where(w => w.Running && stopped.ContainsKey(w.Id)).OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            Stop(workload, IdleGpus.ReclaimedReason, "its GPUs sat idle past its queue's grace period; submit it again to run it");
        }

        // Victims first: the nodes they leave are contended until their pods are gone.
        foreach (var workload in _view.Workloads.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            // Evicted in this cycle, whatever came after: a workload consolidation moved, or an elastic one evicted
            // and admitted again smaller, is admitted in the engine at new places; pods cannot move, so on a cluster
            // that is an eviction too: its pods leave (their nodes stay contended until they are gone) and it is
            // admitted again from its queue.
            if (workload.Running && evictedBy.TryGetValue(workload.Id, out var e))
            {
                var by = e.By is null ? string.Empty : $" by {e.By}";
                Requeue(workload, EvictionReasons.Of(e), $"{e.Reason ?? "preempted"}{by}{(string.IsNullOrEmpty(e.Detail) ? string.Empty : ": " + e.Detail)}");
            }
        }

        foreach (var workload in _view.Workloads.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            if (!workload.Running && engine.Find(workload.Id) is { Phase: WorkloadPhase.Admitted } state)
            {
                OnAdmitted(workload, state);
            }
        }
    }

    private void OnAdmitted(ViewWorkload workload, WorkloadState state)
    {
        var engine = _engine;
        var flavor = engine.Flavors[state.Flavor];
        var memo = new AdmissionMemo(flavor.Name, _view.Now, state.Pods.Select(p => new PlannedPlacement(p.PodSet, engine.Cluster.Nodes[p.Node].Name, p.GpuMask, p.Pod.GpuMilli)).ToArray());
        _plan.Steps.Add(new AdmitStep(workload.Id, flavor, memo) { Pods = state.PlacedPods, GpuMilli = state.Usage.GpuMilli });
        if (workload.Kind == WorkloadKind.Job)
        {
            return; // started as a whole; its own controller makes its pods
        }

        if (WaitsForNodes(workload, state))
        {
            return;
        }

        var free = state.Pods.ToList();
        foreach (var pod in workload.Members.Where(m => !m.Bound && m.BerthScheduled))
        {
            var index = free.FindIndex(p => p.PodSet == pod.PodSet);
            if (index >= 0)
            {
                _plan.Steps.Add(Bind(pod, free[index], workload.Id));
                free.RemoveAt(index);
            }
        }
    }

    /// <summary>Stops a running workload for good; its pods still hold their nodes until they are gone.</summary>
    private void Stop(ViewWorkload workload, string code, string message)
    {
        _requeued.Add(workload.Id);
        _plan.Steps.Add(new StopStep(workload.Id, code, message));
        foreach (var pod in workload.Members.Where(m => m.Bound))
        {
            _contended.Add(pod.Node!);
        }
    }

    /// <summary>Sends a running workload back to its queue; its pods still hold their nodes until they are gone.</summary>
    private void Requeue(ViewWorkload workload, EvictionReason reason, string message)
    {
        _requeued.Add(workload.Id);
        _plan.Steps.RemoveAll(s => s is BindStep && s.Workload == workload.Id); // its remaining pods, planned earlier in this cycle, stay unbound
        _plan.Steps.Add(new RequeueStep(workload.Id, reason, message));
        foreach (var pod in workload.Members.Where(m => m.Bound))
        {
            _contended.Add(pod.Node!);
        }
    }

    /// <summary>
    /// For a running Job or PodGroup whose pods have not all been ready yet: null while within the pods-ready
    /// timeout (recording the first time they all are), else why it is late.
    /// </summary>
    private string? NotReadyInTime(ViewWorkload workload)
    {
        if (_options.PodsReadyTimeout is not { } timeout || !workload.TracksPodsReady || workload.Memo is not { } memo || workload.PodsReadyAt is not null || memo.Pods.Count == 0)
        {
            return null;
        }

        if (workload.ReadyPods >= memo.Pods.Count)
        {
            _plan.Steps.Add(new PodsReadyStep(workload.Id));
            return null;
        }

        return WorkloadLifecycle.IsLate(memo.AdmittedAt, _view.Now, timeout)
            ? $"{workload.ReadyPods} of its {memo.Pods.Count} pods were ready {timeout.TotalSeconds:0}s after admission"
            : null;
    }

    /// <summary>Requeues a workload whose pods did not become ready in time, with doubling backoff; past the limit it fails.</summary>
    private void RequeueNotReady(ViewWorkload workload, string why)
    {
        var options = _options.Admission;
        var next = WorkloadLifecycle.NextRequeue(workload.Requeues, options);
        var message = next.Fails
            ? $"{why}; requeued {next.Attempt} times, past the limit of {options.BackoffLimit}: it fails and is not admitted again"
            : $"{why}; requeued (attempt {next.Attempt} of {options.BackoffLimit}), tried again after {next.Backoff.TotalSeconds:0}s";
        Requeue(workload, EvictionReason.GangNotReady, message);
        _plan.Steps.Add(new BackoffStep(workload.Id, next.Attempt, _view.Now + next.Backoff));
    }

    /// <summary>Records why every workload that is not running waits, and its place in its queue.</summary>
    private void Explain()
    {
        var engine = _engine;
        var positions = engine.PositionsInQueues();
        foreach (var workload in _view.Workloads.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            var state = engine.Find(workload.Id);
            if (_requeued.Contains(workload.Id))
            {
                continue; // what the requeue said stands
            }

            if (state is { Phase: WorkloadPhase.Admitted })
            {
                _plan.Steps.Add(new RunningStep(workload.Id, engine.Flavors[state.Flavor].Name));
                continue;
            }

            if (state is null)
            {
                if (workload.Problem is { } problem)
                {
                    _plan.Steps.Add(new PendingStep(workload.Id, problem.Code, problem.Message, null));
                }
                else if (workload.MissingMembers > 0)
                {
                    _plan.Steps.Add(new PendingStep(workload.Id, nameof(PendingReasonCode.GangIncomplete), $"{workload.Members.Count} pods of the group exist; it needs {workload.MissingMembers} more before it can be admitted", null));
                }

                continue;
            }

            if (state.Phase == WorkloadPhase.Failed)
            {
                continue; // reported when submitted
            }

            var reason = engine.ReasonOf(state);
            _plan.Steps.Add(new PendingStep(
                workload.Id,
                reason.Code.ToString(),
                string.IsNullOrEmpty(reason.Unblock) ? reason.Message : $"{reason.Message}; unblocked when {reason.Unblock}",
                reason.Flavor,
                positions.TryGetValue(workload.Id, out var position) ? position : null,
                state.ExpectedStart is { } start ? _view.Now + start : null));
        }
    }

    /// <summary>Gauges of the cycle: quota usage, GPU allocation and fragmentation.</summary>
    private void Measure()
    {
        var engine = _engine;
        var quotas = engine.Quotas;
        for (var q = 0; q < quotas.QueueCount; q++)
        {
            for (var f = 0; f < quotas.Flavors.Count; f++)
            {
                if (!quotas.QueueHasFlavor(q, f))
                {
                    continue;
                }

                foreach (var (kind, name, scale) in new[] { (ResourceKind.Gpu, "gpu", 1e-3), (ResourceKind.Cpu, "cpu", 1e-3), (ResourceKind.Memory, "memory", 1024.0 * 1024) })
                {
                    _plan.Quota.Add(new QuotaGauge(quotas.QueueNames[q], quotas.Flavors[f], name, quotas.Usage(q, f, kind) * scale, quotas.Nominal(q, f, kind) * scale));
                }
            }
        }

        var cluster = engine.Cluster;
        long unhealthy = 0;
        foreach (var node in _nodes.Values)
        {
            unhealthy += System.Numerics.BitOperations.PopCount((uint)node.UnhealthyGpuMask) * (long)Limits.GpuMilliPerGpu;
        }

        // Unhealthy GPUs and what is free on unusable nodes are withheld: neither is capacity nor allocation.
        var total = cluster.TotalGpuMilli - unhealthy - _withheldUnusableGpuMilli;
        _plan.GpuCapacity = (double)total / Limits.GpuMilliPerGpu;
        _plan.GpuAllocationRatio = total > 0 ? (double)(cluster.AllocatedGpuMilli - unhealthy - _withheldUnusableGpuMilli) / total : 0;
        long free = 0, partial = 0;
        for (var n = 0; n < cluster.NodeCount; n++)
        {
            foreach (var g in cluster.GpuFreeOf(n))
            {
                free += g;
                if (g is > 0 and < Limits.GpuMilliPerGpu)
                {
                    partial += g;
                }
            }
        }

        _plan.GpuFragmentationRatio = free > 0 ? (double)partial / free : 0;
    }
}
