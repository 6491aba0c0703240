using System.Text.Json;
using Berth.Model.Gpus;
using Berth.Model.Queueing;

namespace Berth.Kubernetes.Translation;

/// <summary>
/// Reads the node annotation <c>berth.dev/gpu-topology</c>, for example
/// <c>{"policy":"single-numa-node","islands":[0,0,0,0,1,1,1,1],"pcieSwitches":[0,0,1,1,2,2,3,3],"gpuNuma":[0,0,0,0,1,1,1,1],"numaNodes":[{"cpu":"48","memory":"512Gi"},{"cpu":"48","memory":"512Gi"}]}</c>,
/// the same fields as a scenario's <c>topology</c>. Never throws: an annotation it cannot use is left out with a warning
/// (the node is then placed as one without a description).
/// </summary>
internal static class GpuTopologyAnnotation
{
    private static readonly string[] Fields = ["policy", "islands", "pcieSwitches", "gpuNuma", "numaNodes"];

    public static NodeTopology? Read(IDictionary<string, string>? annotations, int gpus, long cpuMilli, long memoryMiB, List<string> warnings)
    {
        if (ModelMapping.Get(annotations, KubernetesNames.GpuTopologyAnnotation) is not { } text)
        {
            return null;
        }

        try
        {
            var topology = Parse(text, gpus, cpuMilli, memoryMiB);
            if (topology.Problem(gpus) is { } problem)
            {
                throw new FormatException(problem);
            }

            return topology;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            warnings.Add($"annotation {KubernetesNames.GpuTopologyAnnotation} is not usable: {e.Message.Split(" (Parameter")[0]}; the node is placed without its topology");
            return null;
        }
    }

    private static NodeTopology Parse(string text, int gpus, long cpuMilli, long memoryMiB)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("it must be a JSON object");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!Fields.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new FormatException($"unknown field '{property.Name}'; use {string.Join(", ", Fields)}");
            }
        }

        var policyText = root.TryGetProperty("policy", out var p) ? p.GetString() ?? "none" : "none";
        var policy = NodeTopology.ParsePolicy(policyText)
            ?? throw new FormatException($"policy '{policyText}' is unknown; use one of {string.Join(", ", NodeTopology.PolicyNames)}");
        var numa = new List<NumaNode>();
        if (root.TryGetProperty("numaNodes", out var list))
        {
            foreach (var entry in list.EnumerateArray())
            {
                numa.Add(new NumaNode(Amount(entry, "cpu", ResourceKind.Cpu), Amount(entry, "memory", ResourceKind.Memory)));
            }
        }

        return NodeTopology.FromLists(gpus, Ids(root, "islands"), Ids(root, "pcieSwitches"), Ids(root, "gpuNuma"), numa, cpuMilli, memoryMiB, policy);
    }

    private static int[]? Ids(JsonElement root, string name) =>
        root.TryGetProperty(name, out var list) ? list.EnumerateArray().Select(e => e.GetInt32()).ToArray() : null;

    private static long Amount(JsonElement entry, string name, ResourceKind kind)
    {
        var text = entry.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString() : null;
        return Quantities.TryParseCapacity(text, kind, out var amount) ? amount
            : throw new FormatException($"numaNodes entry has {name} '{text}'; write a Kubernetes quantity such as {(kind == ResourceKind.Cpu ? "\"48\"" : "\"512Gi\"")}");
    }
}
