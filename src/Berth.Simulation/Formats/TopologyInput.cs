using System.Globalization;
using Berth.Model.Gpus;
using YamlDotNet.RepresentationModel;

namespace Berth.Simulation.Formats;

/// <summary>
/// Reads a node's (or node group's) <c>topology</c> mapping: the NVLink island, PCIe switch and NUMA node of each GPU,
/// the NUMA nodes' CPUs and memory, and the topology-manager policy (see docs/FORMATS.md). Every error names the field.
/// </summary>
internal static class TopologyInput
{
    private static readonly string[] Fields = ["policy", "islands", "pcieSwitches", "gpuNuma", "numaNodes"];
    private static readonly string[] NumaFields = ["cpu", "cpuMilli", "memory", "memoryMiB"];

    /// <summary>The node's topology; null when it has no <c>topology</c> mapping (the node is placed as before).</summary>
    public static NodeTopology? Read(YamlFields node, int gpus, long cpuMilli, long memoryMiB)
    {
        var fields = node.OptionalMapping("topology", $"topology of {node.Context}", Fields);
        if (fields is null)
        {
            return null;
        }

        var policyText = fields.OptionalString("policy") ?? "none";
        var policy = NodeTopology.ParsePolicy(policyText)
            ?? throw fields.Error("policy", $"unknown topology policy '{policyText}'; use one of {string.Join(", ", NodeTopology.PolicyNames)}");
        var numa = new List<NumaNode>();
        if (fields.OptionalSequence("numaNodes") is { } list)
        {
            foreach (var item in list.Children)
            {
                var entry = item is YamlMappingNode map
                    ? new YamlFields(fields.File, map, $"numaNodes[{numa.Count}] of {node.Context}", NumaFields)
                    : throw fields.Error("numaNodes", "each NUMA node is a mapping such as '{cpu: 48, memory: 512Gi}'");
                numa.Add(new NumaNode(entry.RequiredCpu("48"), entry.RequiredMemory("512Gi")));
            }
        }

        try
        {
            var topology = NodeTopology.FromLists(gpus, Ids(fields, "islands"), Ids(fields, "pcieSwitches"), Ids(fields, "gpuNuma"), numa, cpuMilli, memoryMiB, policy);
            return topology.Problem(gpus) is { } problem ? throw fields.Error("topology", problem) : topology;
        }
        catch (ArgumentException e)
        {
            throw fields.Error(e.ParamName ?? "topology", e.Message.Split(" (Parameter")[0]);
        }
    }

    private static int[]? Ids(YamlFields fields, string name)
    {
        if (!fields.Has(name))
        {
            return null;
        }

        return fields.StringList(name).Select(text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id <= NodeTopology.MaxId
            ? id
            : throw fields.Error(name, $"'{text}' is not an id; write whole numbers from 0 to {NodeTopology.MaxId}, one per GPU, e.g. [0, 0, 0, 0, 1, 1, 1, 1]")).ToArray();
    }
}
