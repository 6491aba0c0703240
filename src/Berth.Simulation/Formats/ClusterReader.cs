using Berth.Model;
using Berth.Simulation.Input;
using YamlDotNet.RepresentationModel;

namespace Berth.Simulation.Formats;

/// <summary>Reads a <c>kind: Cluster</c> file; see docs/FORMATS.md for the format.</summary>
internal static class ClusterReader
{
    private static readonly string[] RootFields = ["kind", "gpuModels", "nodes"];
    private static readonly string[] ModelFields = ["name", "memoryMiB"];
    private static readonly string[] NodeFields = ["name", "cpu", "memory", "cpuMilli", "memoryMiB", "gpus", "gpuModel", "gpuMemoryMiB", "gpuSharing", "labels", "taints", "nvlinkIslandSize", "topology"];
    private static readonly string[] GroupFields = ["count", "namePrefix", "cpu", "memory", "cpuMilli", "memoryMiB", "gpus", "gpuModel", "gpuMemoryMiB", "gpuSharing", "labels", "taints", "rackSize", "nvlinkDomainSize", "nvlinkIslandSize", "topology"];
    private static readonly string[] TaintFields = ["key", "value", "effect"];

    public static ClusterSpec Read(string path, YamlMappingNode rootNode)
    {
        BerthFormat.CheckKindFirst(path, rootNode, BerthFormat.ClusterKind);
        var root = new YamlFields(path, rootNode, "the cluster file", RootFields);
        BerthFormat.CheckKind(root, BerthFormat.ClusterKind);
        var catalog = ReadCatalog(root);

        var nodes = new List<Node>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var list = root.RequiredSequence("nodes", "nodes or node groups");
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (list.Children[i] is not YamlMappingNode entry)
            {
                throw new InputException(path, YamlSource.Line(list.Children[i]), "nodes", $"nodes[{i}] is {YamlFields.Describe(list.Children[i])}; each entry must be a node (with 'name') or a group (with 'count')");
            }

            var isGroup = entry.Children.Keys.Any(k => k is YamlScalarNode { Value: "count" });
            var fields = new YamlFields(path, entry, isGroup ? $"node group nodes[{i}]" : $"node nodes[{i}]", isGroup ? GroupFields : NodeFields);
            var before = nodes.Count;
            if (isGroup)
            {
                ReadGroup(fields, catalog, nodes);
            }
            else
            {
                nodes.Add(ReadNode(fields, catalog, fields.RequiredString("name", "gpu-node-01"), extraLabels: null));
            }

            for (var n = before; n < nodes.Count; n++)
            {
                if (lines.TryGetValue(nodes[n].Name, out var first))
                {
                    throw new InputException(path, fields.Line, isGroup ? "namePrefix" : "name", $"node '{nodes[n].Name}' is defined twice (first at line {first}); node names must be unique, so rename one");
                }

                lines[nodes[n].Name] = fields.Line;
            }
        }

        return new ClusterSpec(nodes, catalog);
    }

    private static GpuModelCatalog ReadCatalog(YamlFields root)
    {
        var list = root.OptionalSequence("gpuModels");
        if (list is null)
        {
            return GpuModelCatalog.Default;
        }

        var extra = new List<GpuModelInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (list.Children[i] is not YamlMappingNode entry)
            {
                throw new InputException(root.File, YamlSource.Line(list.Children[i]), "gpuModels", $"gpuModels[{i}] must be a mapping with 'name' and 'memoryMiB'");
            }

            var fields = new YamlFields(root.File, entry, $"gpuModels[{i}]", ModelFields);
            var name = fields.RequiredString("name", "MI300X");
            if (!seen.Add(name))
            {
                throw fields.Error("name", $"GPU model '{name}' is listed twice in gpuModels; keep one entry");
            }

            extra.Add(new GpuModelInfo(name, fields.RequiredLong("memoryMiB", 0, long.MaxValue, "196608")));
        }

        if (GpuModelCatalog.Default.Names.Concat(extra.Select(m => m.Name)).Distinct(StringComparer.Ordinal).Count() > Limits.MaxGpuModels)
        {
            throw root.Error("gpuModels", $"the catalog would hold more than {Limits.MaxGpuModels} GPU models; list fewer");
        }

        return GpuModelCatalog.Default.With(extra);
    }

    private static void ReadGroup(YamlFields fields, GpuModelCatalog catalog, List<Node> nodes)
    {
        var count = (int)fields.RequiredLong("count", 1, 1_000_000, "16");
        var prefix = fields.RequiredString("namePrefix", "a100");
        var rackSize = fields.OptionalLong("rackSize", 1, int.MaxValue);
        var domainSize = fields.OptionalLong("nvlinkDomainSize", 1, int.MaxValue);
        var labels = fields.StringMap("labels");
        if (rackSize is not null && labels.ContainsKey(TopologyKeys.Rack))
        {
            throw fields.Error("rackSize", $"the group sets both rackSize and the label {TopologyKeys.Rack}; keep one of them");
        }

        if (domainSize is not null && labels.ContainsKey(TopologyKeys.NvlinkDomain))
        {
            throw fields.Error("nvlinkDomainSize", $"the group sets both nvlinkDomainSize and the label {TopologyKeys.NvlinkDomain}; keep one of them");
        }

        for (var i = 0; i < count; i++)
        {
            var extra = new List<KeyValuePair<string, string>>(2);
            if (rackSize is { } r)
            {
                extra.Add(new(TopologyKeys.Rack, BerthFormat.RackName(prefix, (int)(i / r))));
            }

            if (domainSize is { } d)
            {
                extra.Add(new(TopologyKeys.NvlinkDomain, BerthFormat.NvlinkDomainName(prefix, (int)(i / d))));
            }

            nodes.Add(ReadNode(fields, catalog, BerthFormat.GroupNodeName(prefix, i), extra));
        }
    }

    private static Node ReadNode(YamlFields fields, GpuModelCatalog catalog, string name, List<KeyValuePair<string, string>>? extraLabels)
    {
        var gpus = (int)(fields.OptionalLong("gpus", 0, Limits.MaxGpusPerNode) ?? 0);
        var model = fields.OptionalString("gpuModel");
        long gpuMemory = 0;
        if (model is not null)
        {
            if (!catalog.TryGet(model, out var info))
            {
                throw fields.Error("gpuModel", $"unknown GPU model '{model}'; use one of {string.Join(", ", catalog.Names)}, or declare it under gpuModels");
            }

            gpuMemory = info.MemoryMiB;
        }
        else if (gpus > 0)
        {
            throw fields.Error("gpuModel", $"{fields.Context} has {gpus} GPUs but no gpuModel; add 'gpuModel:' with one of {string.Join(", ", catalog.Names)}");
        }

        gpuMemory = fields.OptionalLong("gpuMemoryMiB", 0, long.MaxValue) ?? gpuMemory;

        var labels = fields.StringMap("labels");
        if (extraLabels is { Count: > 0 })
        {
            var merged = new Dictionary<string, string>(labels, StringComparer.Ordinal);
            foreach (var (key, value) in extraLabels)
            {
                merged[key] = value;
            }

            labels = merged;
        }

        var island = (int?)fields.OptionalLong("nvlinkIslandSize", 1, Limits.MaxGpusPerNode);
        if (island is { } size && (gpus == 0 || gpus % size != 0))
        {
            throw fields.Error("nvlinkIslandSize", $"{fields.Context} has {gpus} GPUs, which do not split into NVLink islands of {size}; give a size that divides the GPU count (2 for pairs), or leave it out");
        }

        var cpu = fields.RequiredCpu("96");
        var memory = fields.RequiredMemory("768Gi");
        var topology = TopologyInput.Read(fields, gpus, cpu, memory);
        if (topology is not null && island is not null)
        {
            throw fields.Error("nvlinkIslandSize", $"{fields.Context} sets both nvlinkIslandSize and topology; give the islands in topology.islands and remove nvlinkIslandSize");
        }

        return new Node
        {
            Name = name,
            NvlinkIslandSize = island,
            Topology = topology,
            CpuMilli = cpu,
            MemoryMiB = memory,
            GpuCount = gpus,
            GpuModel = model,
            GpuMemoryMiB = gpuMemory,
            Sharing = GpuInput.ReadSharing(fields, gpus, model, gpuMemory),
            Labels = labels,
            Taints = ReadTaints(fields),
        };
    }

    private static Taint[] ReadTaints(YamlFields fields)
    {
        var list = fields.OptionalSequence("taints");
        if (list is null)
        {
            return [];
        }

        var taints = new Taint[list.Children.Count];
        for (var i = 0; i < taints.Length; i++)
        {
            if (list.Children[i] is not YamlMappingNode entry)
            {
                throw new InputException(fields.File, YamlSource.Line(list.Children[i]), "taints", $"taints[{i}] of {fields.Context} must be a mapping with key, value and effect");
            }

            var taint = new YamlFields(fields.File, entry, $"taints[{i}] of {fields.Context}", TaintFields);
            taints[i] = new Taint(
                taint.RequiredString("key", "dedicated"),
                taint.OptionalString("value"),
                BerthFormat.ParseTaintEffect(taint, "effect", required: true) ?? TaintEffect.NoSchedule);
        }

        return taints;
    }
}
