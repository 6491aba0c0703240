using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// The devices of the cluster's ResourceSlices and the ones claims hold. Only the newest generation of each pool
/// counts (a driver republishing a pool bumps it; older slices are on their way out). Devices are kept in
/// driver/pool/name order, so every choice among them is deterministic.
/// </summary>
internal sealed class DeviceInventory
{
    private readonly List<DraDevice> _devices = [];
    private readonly Dictionary<string, List<DraDevice>> _byNode = new(StringComparer.Ordinal);
    private readonly List<DraDevice> _shared = [];
    private readonly HashSet<string> _allocated = new(StringComparer.Ordinal);

    public DeviceInventory(DraObjects objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var newest = new Dictionary<(string, string), long>();
        foreach (var slice in objects.Slices)
        {
            if (slice.Spec is { Driver: { } driver, Pool.Name: { } pool } spec)
            {
                newest[(driver, pool)] = Math.Max(newest.GetValueOrDefault((driver, pool), long.MinValue), spec.Pool.Generation);
            }
        }

        foreach (var slice in objects.Slices)
        {
            if (slice.Spec is not { Driver: { } driver, Pool.Name: { } pool } spec || spec.Pool.Generation != newest[(driver, pool)])
            {
                continue;
            }

            var perDevice = spec.PerDeviceNodeSelection == true;
            foreach (var device in spec.Devices ?? [])
            {
                if (device?.Name is null)
                {
                    continue;
                }

                _devices.Add(perDevice
                    ? new DraDevice(driver, pool, device, device.NodeSelector, device.NodeName, device.AllNodes == true)
                    : new DraDevice(driver, pool, device, spec.NodeSelector, spec.NodeName, spec.AllNodes == true));
            }
        }

        _devices.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        foreach (var device in _devices)
        {
            if (device.NodeName is { } node && !device.AllNodes && device.NodeSelector is null)
            {
                (_byNode.TryGetValue(node, out var list) ? list : _byNode[node] = []).Add(device);
            }
            else
            {
                _shared.Add(device);
            }
        }
        foreach (var claim in objects.Claims)
        {
            foreach (var result in claim.Status?.Allocation?.Devices?.Results ?? [])
            {
                _allocated.Add(DraDevice.IdOf(result?.Driver, result?.Pool, result?.Device));
            }
        }
    }

    /// <summary>Every published device, in driver/pool/name order.</summary>
    public IReadOnlyList<DraDevice> Devices => _devices;

    /// <summary>Devices some claim's allocation holds (<c>driver/pool/device</c>).</summary>
    public IReadOnlySet<string> Allocated => _allocated;

    /// <summary>The devices a pod on <paramref name="node"/> can use, in order (a node's own devices are looked up, not scanned for).</summary>
    public IEnumerable<DraDevice> On(string node, IReadOnlyDictionary<string, string> labels)
    {
        var own = _byNode.GetValueOrDefault(node) ?? [];
        if (_shared.Count == 0)
        {
            return own;
        }

        var all = own.Concat(_shared.Where(d => d.Reaches(node, labels))).ToList();
        all.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return all;
    }
}
