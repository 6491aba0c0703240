using Berth.Kubernetes.Dra;
using k8s.Models;

namespace Berth.Kubernetes.Controller;

/// <summary>
/// Dynamic Resource Allocation in a decision. The engine knows nothing of devices; the claims reach it as a node filter
/// and come back as concrete devices at bind time:
///
/// 1. read (<see cref="ReadDeviceClaims"/>): each pending pod of Berth's with <c>spec.resourceClaims</c> has its claims
///    resolved (templates too) and checked (classes exist, CEL compiles); a problem is the pod's error, naming the
///    field and the fix. The nodes where all its unallocated claims fit now (devices reachable, matching, not held by
///    any claim; an allocated claim pins its node) become a node label the pod selects, so the engine places it only
///    there. No such node: the workload waits (<see cref="WaitingForDevicesReason"/>), never fails, as devices free up;
/// 2. bind (<see cref="AllocateClaims"/>): the bindings are walked in plan order, each pod's devices chosen on its node
///    among those not yet taken, workload by workload (all its pods or none); a pod whose devices were taken by an
///    earlier pod of the same decision waits for the next one. Each binding carries its claim writes, which the
///    executor makes before the binding.
/// </summary>
public sealed partial class DecisionPlanner
{
    /// <summary>Reason of a workload (and PodScheduled reason of its pods) waiting for DRA devices or for its claims to exist.</summary>
    public const string WaitingForDevicesReason = "WaitingForDevices";

    /// <summary>Reason of the Warning event on a claim or template that cannot be allocated as written (bad CEL, unknown class).</summary>
    public const string InvalidDeviceClaimReason = "InvalidDeviceClaim";

    /// <summary>Prefix of the node labels that carry "the claims of these pods fit here" into the engine (in memory only, never written).</summary>
    internal const string DeviceFitLabelPrefix = "dra.berth.dev/fit-";

    private readonly Dictionary<string, string> _deviceWaits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodClaims> _deviceClaims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<PreparedClaim>> _preparedClaims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1ObjectReference> _invalidClaims = new(StringComparer.Ordinal);
    private DeviceInventory? _devices;
    private DeviceAllocator? _allocator;
    private DraIndex? _draIndex;

    private void ReadDeviceClaims()
    {
        if (!_pods.Any(p => p.Object.Spec?.ResourceClaims is { Count: > 0 }))
        {
            return;
        }

        _draIndex = new DraIndex(_snapshot.Dra);
        _devices = new DeviceInventory(_snapshot.Dra);
        _allocator = new DeviceAllocator(_devices, _draIndex, DeviceSelectorEvaluator.Shared);
        var nodes = _nodes.Keys.Order(StringComparer.Ordinal).ToArray();
        var fitLabels = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < _pods.Count; i++)
        {
            var pod = _pods[i];
            if (pod.Object.Spec?.ResourceClaims is not { Count: > 0 } || pod.Bound || pod.Terminal || pod.Terminating || !pod.BerthScheduled)
            {
                continue;
            }

            var (prepared, error, wait) = Prepared(pod);
            if (error is null && wait is null)
            {
                (var feasible, error, wait) = FeasibleNodes(prepared!, nodes);
                if (error is not null)
                {
                    NoteInvalid(pod, prepared!, error);
                }

                if (error is null && wait is null)
                {
                    var signature = string.Join(',', feasible);
                    if (!fitLabels.TryGetValue(signature, out var label))
                    {
                        label = DeviceFitLabelPrefix + fitLabels.Count;
                        fitLabels[signature] = label;
                        foreach (var name in feasible)
                        {
                            var view = _nodes[name];
                            var labels = new Dictionary<string, string>(view.Node.Labels, StringComparer.Ordinal) { [label] = "true" };
                            _nodes[name] = view with { Node = view.Node with { Labels = labels } };
                        }
                    }

                    var selector = new Dictionary<string, string>(pod.View.Pod.NodeSelector, StringComparer.Ordinal) { [label] = "true" };
                    _pods[i] = pod with { View = pod.View with { Pod = pod.View.Pod with { NodeSelector = selector } } };
                    continue;
                }
            }

            if (error is not null)
            {
                _pods[i] = pod with { View = pod.View with { Error = error } };
                ReportOnClaim(pod, error);
            }
            else
            {
                _deviceWaits[pod.Key] = wait!;
            }
        }
    }

    /// <summary>
    /// A Warning event (<see cref="InvalidDeviceClaimReason"/>) on the claim, or the template, whose spec the error names,
    /// once: while the pod's PodScheduled condition already carries the error, nothing new is said.
    /// </summary>
    private void ReportOnClaim(PodInfo pod, string error)
    {
        if (!_invalidClaims.TryGetValue(pod.Key, out var about))
        {
            return;
        }

        var condition = pod.Object.Status?.Conditions?.FirstOrDefault(c => c?.Type == "PodScheduled");
        if (condition?.Message?.Contains(error, StringComparison.Ordinal) != true)
        {
            _plan.Events.Add(new EventAction(about, "Warning", InvalidDeviceClaimReason, $"pod {pod.Key}: {error}"));
        }
    }

    /// <summary>
    /// Remembers which object an error of the pod's claims is about: the claim or template it names at its start, else the
    /// DeviceClass (a class selector's error starts with <c>DeviceClass name</c>).
    /// </summary>
    private void NoteInvalid(PodInfo pod, IReadOnlyList<PreparedClaim> claims, string error)
    {
        var claim = claims.FirstOrDefault(c => error.StartsWith(c.Claim.Where + " ", StringComparison.Ordinal))?.Claim;
        var meta = claim?.Claim?.Metadata ?? claim?.Template?.Metadata;
        var kind = claim is null ? "DeviceClass" : claim.Claim is null ? "ResourceClaimTemplate" : "ResourceClaim";
        var name = meta?.Name ?? (error.StartsWith("DeviceClass ", StringComparison.Ordinal) ? error.Split(' ')[1] : null);
        if (name is not null)
        {
            _invalidClaims[pod.Key] = new V1ObjectReference { ApiVersion = "resource.k8s.io/v1", Kind = kind, Name = name, NamespaceProperty = meta?.NamespaceProperty, Uid = meta?.Uid };
        }
    }

    /// <summary>Pending workloads with a pod whose claims fit no node now, or do not exist yet, wait with that reason.</summary>
    private void ApplyDeviceWaits()
    {
        if (_deviceWaits.Count == 0)
        {
            return;
        }

        for (var i = 0; i < _sources.Count; i++)
        {
            var source = _sources[i];
            if (source.Admitted || source.Problem is not null)
            {
                continue;
            }

            foreach (var (pod, _) in source.Members)
            {
                if (_deviceWaits.TryGetValue(pod.Key, out var wait))
                {
                    _sources[i] = source.WithProblem(WaitingForDevicesReason, wait);
                    break;
                }
            }
        }
    }

    /// <summary>Chooses the devices of every binding's claims in plan order; drops (until the next decision) the bindings of a workload whose devices are gone.</summary>
    private void AllocateClaims()
    {
        if (_allocator is null || _devices is null || _plan.Bindings.Count == 0)
        {
            return;
        }

        var pods = _pods.ToDictionary(p => p.Key, StringComparer.Ordinal);
        var taken = new HashSet<string>(_devices.Allocated, StringComparer.Ordinal);
        var planned = new Dictionary<string, string>(StringComparer.Ordinal);
        var kept = new List<BindAction>();
        foreach (var group in _plan.Bindings.GroupBy(b => b.Workload, StringComparer.Ordinal))
        {
            var localTaken = new HashSet<string>(taken, StringComparer.Ordinal);
            var localPlanned = new Dictionary<string, string>(planned, StringComparer.Ordinal);
            var bindings = new List<BindAction>();
            string? failure = null;
            foreach (var binding in group)
            {
                var pod = pods[binding.Namespace + "/" + binding.Pod];
                if (pod.Object.Spec?.ResourceClaims is not { Count: > 0 })
                {
                    bindings.Add(binding);
                    continue;
                }

                var (writes, why) = ClaimWrites(pod, binding.Node, localTaken, localPlanned);
                if (why is not null)
                {
                    failure = $"pod {pod.Key}: {why}";
                    break;
                }

                bindings.Add(binding with { Claims = writes });
            }

            if (failure is null)
            {
                kept.AddRange(bindings);
                taken = localTaken;
                planned = localPlanned;
                continue;
            }

            foreach (var binding in group)
            {
                MarkUnschedulable(pods[binding.Namespace + "/" + binding.Pod], WaitingForDevicesReason, failure, withEvent: true);
            }
        }

        _plan.Bindings.Clear();
        _plan.Bindings.AddRange(kept);
    }

    /// <summary>The claim writes of one pod bound to <paramref name="node"/>, taking its devices from <paramref name="taken"/>; else why it cannot be bound now.</summary>
    private (List<ClaimWrite>? Writes, string? Why) ClaimWrites(PodInfo pod, string node, HashSet<string> taken, Dictionary<string, string> planned)
    {
        var (prepared, error, wait) = Prepared(pod);
        if (error is not null || wait is not null)
        {
            return (null, error ?? wait);
        }

        var writes = new List<ClaimWrite>();
        var fresh = new List<PreparedClaim>();
        foreach (var claim in prepared!)
        {
            var c = claim.Claim;
            string? pinned = null;
            var plannedHere = c.ClaimKey is { } key && planned.TryGetValue(key, out pinned); // a claim shared with a pod bound earlier in this plan
            if (c.Allocated || plannedHere)
            {
                pinned = c.Allocated ? c.AllocatedNode : pinned;
                if (pinned is not null && pinned != node)
                {
                    return (null, $"{c.Where} is allocated on node {pinned}, not {node}");
                }

                writes.Add(new ClaimWrite(c.PodClaimName, c.Claim!.Metadata.Name, null, null, node, pod.Object.Metadata?.Uid ?? string.Empty));
                continue;
            }

            fresh.Add(claim);
        }

        var fit = _allocator!.Fit(fresh, node, _nodes.TryGetValue(node, out var view) ? view.Node.Labels : new Dictionary<string, string>(), taken);
        if (!fit.Fits)
        {
            return (null, fit.Error ?? fit.Shortfall);
        }

        for (var j = 0; j < fresh.Count; j++)
        {
            var c = fresh[j].Claim;
            writes.Add(new ClaimWrite(c.PodClaimName, c.Claim?.Metadata.Name, c.Template, fit.Choices[j], node, pod.Object.Metadata?.Uid ?? string.Empty));
            taken.UnionWith(fit.Choices[j].Select(d => d.Id));
            if (c.ClaimKey is { } key)
            {
                planned[key] = node;
            }
        }

        return (writes, null);
    }

    /// <summary>The nodes where a pod's claims fit now, in name order; else an error (no node can cure it) or why it waits.</summary>
    private (List<string> Nodes, string? Error, string? Wait) FeasibleNodes(IReadOnlyList<PreparedClaim> claims, string[] nodes)
    {
        var pinned = claims.Where(c => c.Claim.Allocated).Select(c => c.Claim.AllocatedNode).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (pinned.Count > 1)
        {
            return ([], $"its claims are allocated on different nodes ({string.Join(", ", pinned)}); a pod runs on one node, so release one of the claims", null);
        }

        var fresh = claims.Where(c => !c.Claim.Allocated).ToList();
        var feasible = new List<string>();
        string? shortfall = null;
        foreach (var node in pinned.Count == 1 ? pinned.Where(_nodes.ContainsKey) : nodes)
        {
            var fit = _allocator!.Fit(fresh, node, _nodes[node].Node.Labels, _devices!.Allocated);
            if (fit.Error is not null)
            {
                return ([], fit.Error, null);
            }

            if (fit.Fits)
            {
                feasible.Add(node);
            }
            else
            {
                shortfall ??= fit.Shortfall;
            }
        }

        return feasible.Count > 0 ? (feasible, null, null)
            : (feasible, null, pinned.Count == 1 ? $"its claims are allocated on node {pinned[0]}, where they do not all fit: {shortfall ?? "the node is gone"}" : $"no node has free devices for all its claims ({shortfall ?? "no ResourceSlice publishes devices"})");
    }

    /// <summary>A pod's claims resolved and compiled, computed once per decision; else an error (field and fix) or why it waits.</summary>
    private (IReadOnlyList<PreparedClaim>? Claims, string? Error, string? Wait) Prepared(PodInfo pod)
    {
        if (_preparedClaims.TryGetValue(pod.Key, out var cached))
        {
            return (cached, null, null);
        }

        if (!_deviceClaims.TryGetValue(pod.Key, out var resolved))
        {
            resolved = PodClaimResolver.Resolve(pod.Object, _draIndex!);
            _deviceClaims[pod.Key] = resolved;
        }

        if (resolved.Error is not null || resolved.Wait is not null)
        {
            return (null, resolved.Error, resolved.Wait);
        }

        var prepared = resolved.Claims.Select(_allocator!.Prepare).ToList();
        if (prepared.FirstOrDefault(p => p.Error is not null) is { } bad)
        {
            NoteInvalid(pod, prepared, bad.Error!);
            _deviceClaims[pod.Key] = PodClaims.Invalid(bad.Error!);
            return (null, bad.Error, null);
        }

        _preparedClaims[pod.Key] = prepared;
        return (prepared, null, null);
    }
}
