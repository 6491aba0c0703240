using k8s.Models;

namespace Berth.Kubernetes.Dra;

/// <summary>
/// One device a driver published in a ResourceSlice, with the nodes that reach it and the <c>device</c> variable its
/// CEL selectors see (built once). <see cref="Id"/> is <c>driver/pool/device</c>, the triple an allocation names.
/// </summary>
internal sealed class DraDevice
{
    public DraDevice(string driver, string pool, V1Device device, V1NodeSelector? nodes, string? nodeName, bool allNodes)
    {
        Driver = driver;
        Pool = pool;
        Name = device.Name ?? string.Empty;
        Id = IdOf(driver, pool, Name);
        NodeName = nodeName;
        AllNodes = allNodes;
        NodeSelector = nodes;
        CelVariables = new Dictionary<string, object?>(StringComparer.Ordinal) { ["device"] = CelInput(driver, device) };
    }

    public string Driver { get; }

    public string Pool { get; }

    public string Name { get; }

    public string Id { get; }

    /// <summary>The one node that reaches the device; null when <see cref="AllNodes"/> or <see cref="NodeSelector"/> says.</summary>
    public string? NodeName { get; }

    public bool AllNodes { get; }

    public V1NodeSelector? NodeSelector { get; }

    /// <summary>The variables of a CEL evaluation: <c>device</c> as Kubernetes defines it.</summary>
    public IDictionary<string, object?> CelVariables { get; }

    public static string IdOf(string? driver, string? pool, string? device) => $"{driver}/{pool}/{device}";

    /// <summary>True when a pod on <paramref name="node"/> (with <paramref name="labels"/>) can use the device.</summary>
    public bool Reaches(string node, IReadOnlyDictionary<string, string> labels) =>
        AllNodes || string.Equals(NodeName, node, StringComparison.Ordinal) || (NodeSelector is not null && NodeSelectors.Matches(NodeSelector, node, labels));

    // Attributes and capacities are grouped by domain: "gpu.nvidia.com/productName" under "gpu.nvidia.com"; a name
    // without a domain belongs to the driver's.
    private static Dictionary<string, object?> CelInput(string driver, V1Device device)
    {
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (qualified, attribute) in device.Attributes ?? new Dictionary<string, V1DeviceAttribute>())
        {
            var (domain, name) = Split(qualified, driver);
            Group(attributes, domain)[name] = attribute switch
            {
                { IntValue: { } i } => i,
                { BoolValue: { } b } => b,
                { StringValue: { } s } => s,
                { Version: { } v } => v,
                _ => null,
            };
        }

        var capacity = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (qualified, value) in device.Capacity ?? new Dictionary<string, V1DeviceCapacity>())
        {
            var (domain, name) = Split(qualified, driver);
            Group(capacity, domain)[name] = value?.Value is { } quantity ? new CelQuantity(quantity.ToDecimal()) : null;
        }

        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["driver"] = driver,
            ["attributes"] = attributes,
            ["capacity"] = capacity,
            ["allowMultipleAllocations"] = device.AllowMultipleAllocations ?? false,
        };
    }

    private static (string Domain, string Name) Split(string qualified, string driver)
    {
        var slash = qualified.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (driver, qualified) : (qualified[..slash], qualified[(slash + 1)..]);
    }

    private static Dictionary<string, object?> Group(Dictionary<string, object?> groups, string domain)
    {
        if (groups.TryGetValue(domain, out var existing))
        {
            return (Dictionary<string, object?>)existing!;
        }

        var group = new Dictionary<string, object?>(StringComparer.Ordinal);
        groups[domain] = group;
        return group;
    }
}
