using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// Matches claims against the published devices, as kube-scheduler's DRA plugin does for the parts Berth supports:
/// requests with <c>exactly</c> (<c>ExactCount</c> with a count, or <c>All</c>), a DeviceClass's selectors ANDed with the
/// request's, devices reachable from the node and not held by another claim. The first devices in driver/pool/name
/// order are taken, so the same snapshot gives the same allocation. Pure: it reads, never writes.
/// <para>
/// Not supported, and refused with the field named: <c>firstAvailable</c> (prioritized alternatives),
/// <c>spec.devices.constraints</c> (matchAttribute), <c>adminAccess</c>, consumable capacity and device taints.
/// </para>
/// </summary>
internal sealed class DeviceAllocator
{
    private readonly DeviceInventory _inventory;
    private readonly DraIndex _index;
    private readonly DeviceSelectorEvaluator _cel;
    private readonly Dictionary<(CompiledSelector, string), SelectorOutcome> _outcomes = [];

    public DeviceAllocator(DeviceInventory inventory, DraIndex index, DeviceSelectorEvaluator cel)
    {
        _inventory = inventory;
        _index = index;
        _cel = cel;
    }

    /// <summary>Checks a claim as written and compiles its selectors; the result's error names the field and the fix.</summary>
    public PreparedClaim Prepare(PodClaim claim)
    {
        var at = $"{claim.Where} {claim.SpecPath}.devices";
        if (claim.Spec.Devices?.Constraints is { Count: > 0 })
        {
            return Invalid(claim, $"{at}.constraints: Berth does not enforce matchAttribute constraints yet; remove them, or schedule the pod with kube-scheduler");
        }

        var requests = new List<PreparedRequest>();
        var list = claim.Spec.Devices?.Requests ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var request = list[i];
            var field = $"{at}.requests[{i}]";
            if (request?.Exactly is not { } exactly)
            {
                return Invalid(claim, $"{field}: Berth allocates requests with `exactly` only (not firstAvailable); write the request under exactly");
            }

            if (exactly.AdminAccess == true)
            {
                return Invalid(claim, $"{field}.exactly.adminAccess: Berth does not grant admin access to devices; remove adminAccess");
            }

            if (string.IsNullOrEmpty(exactly.DeviceClassName) || _index.Class(exactly.DeviceClassName) is not { } deviceClass)
            {
                return Invalid(claim, $"{field}.exactly.deviceClassName: DeviceClass \"{exactly.DeviceClassName}\" does not exist; create it or name an existing one (kubectl get deviceclasses)");
            }

            var all = exactly.AllocationMode == "All";
            if (!all && exactly.AllocationMode is not (null or "" or "ExactCount"))
            {
                return Invalid(claim, $"{field}.exactly.allocationMode: \"{exactly.AllocationMode}\" is not a mode; use ExactCount or All");
            }

            var count = exactly.Count ?? 1;
            if (!all && count < 1)
            {
                return Invalid(claim, $"{field}.exactly.count: {count}; ask for at least 1 device");
            }

            var selectors = new List<CompiledSelector>();
            if (Compile(deviceClass.Spec?.Selectors, $"DeviceClass {deviceClass.Metadata.Name} spec.selectors", selectors) is { } classError)
            {
                return Invalid(claim, classError);
            }

            if (Compile(exactly.Selectors, $"{field}.exactly.selectors", selectors) is { } requestError)
            {
                return Invalid(claim, requestError);
            }

            requests.Add(new PreparedRequest(request.Name ?? $"request-{i}", field, all, (int)Math.Min(count, int.MaxValue), selectors));
        }

        return new PreparedClaim(claim, requests, null);
    }

    /// <summary>
    /// Chooses devices on <paramref name="node"/> for every claim in <paramref name="claims"/> (each not allocated yet),
    /// none of them in <paramref name="taken"/> and none twice.
    /// </summary>
    public NodeFit Fit(IReadOnlyList<PreparedClaim> claims, string node, IReadOnlyDictionary<string, string> labels, IReadOnlySet<string> taken)
    {
        var reachable = _inventory.On(node, labels).Where(d => !taken.Contains(d.Id)).ToList();
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<IReadOnlyList<DeviceChoice>>();
        foreach (var claim in claims)
        {
            var choices = new List<DeviceChoice>();
            foreach (var request in claim.Requests)
            {
                var matching = new List<DraDevice>();
                foreach (var device in reachable)
                {
                    if (chosen.Contains(device.Id))
                    {
                        continue;
                    }

                    var outcome = Matches(request, device);
                    if (outcome.Error is not null)
                    {
                        return new NodeFit([], null, outcome.Error);
                    }

                    if (outcome.Matches)
                    {
                        matching.Add(device);
                        if (!request.All && matching.Count == request.Count)
                        {
                            break;
                        }
                    }
                }

                if (request.All && (matching.Count == 0 || _inventory.On(node, labels).Any(d => taken.Contains(d.Id) && Matches(request, d).Matches)))
                {
                    return new NodeFit([], $"node {node} does not have all devices of {request.Where} free (allocationMode All)", null);
                }

                if (!request.All && matching.Count < request.Count)
                {
                    return new NodeFit([], $"node {node} has {matching.Count} free device(s) matching {request.Where}, which asks for {request.Count}", null);
                }

                foreach (var device in matching)
                {
                    chosen.Add(device.Id);
                    choices.Add(new DeviceChoice(request.Name, device.Driver, device.Pool, device.Name));
                }
            }

            result.Add(choices);
        }

        return new NodeFit(result, null, null);
    }

    /// <summary>The allocation a claim's status records for <paramref name="choices"/> on <paramref name="node"/>.</summary>
    public static V1AllocationResult Allocation(IReadOnlyList<DeviceChoice> choices, string node) => new()
    {
        Devices = new V1DeviceAllocationResult
        {
            Results = choices.Select(c => new V1DeviceRequestAllocationResult { Request = c.Request, Driver = c.Driver, Pool = c.Pool, Device = c.Device }).ToList(),
        },
        NodeSelector = NodeSelectors.PinnedTo(node),
    };

    private SelectorOutcome Matches(PreparedRequest request, DraDevice device)
    {
        foreach (var selector in request.Selectors)
        {
            if (!_outcomes.TryGetValue((selector, device.Id), out var outcome))
            {
                outcome = selector.Evaluate(device);
                _outcomes[(selector, device.Id)] = outcome;
            }

            if (!outcome.Matches || outcome.Error is not null)
            {
                return outcome;
            }
        }

        return SelectorOutcome.Yes;
    }

    private string? Compile(IList<V1DeviceSelector>? selectors, string field, List<CompiledSelector> into)
    {
        for (var j = 0; j < (selectors?.Count ?? 0); j++)
        {
            var path = $"{field}[{j}].cel.expression";
            if (selectors![j]?.Cel is not { } cel)
            {
                return $"{field}[{j}].cel is missing; give each selector a cel.expression";
            }

            var compiled = _cel.Compile(path, cel.Expression);
            if (compiled.Error is not null)
            {
                return compiled.Error;
            }

            into.Add(compiled);
        }

        return null;
    }

    private static PreparedClaim Invalid(PodClaim claim, string error) => new(claim, [], error);
}
