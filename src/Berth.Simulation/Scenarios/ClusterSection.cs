using Berth.Model;

namespace Berth.Simulation.Scenarios;

/// <summary>The <c>cluster</c> of a scenario file: node groups (one may be <c>count: auto</c>) and the target load that sizes it.</summary>
internal sealed class ClusterSection
{
    private static readonly string[] Fields = ["targetLoad", "nodeGroups"];
    private static readonly string[] GroupFields = ["name", "count", "gpus", "gpuModel", "cpu", "memory", "cpuMilli", "memoryMiB", "gpuSharing", "labels", "taints", "rackSize", "nvlinkDomainSize", "nvlinkIslandSize", "topology", "datasets"];

    private ClusterSection(ScenarioFields fields) => Own = fields;

    public ScenarioFields Own { get; }

    public double? TargetLoad { get; private set; }

    /// <summary>The groups in file order; an auto group has count 0 until <see cref="AutoSizing"/> sizes it.</summary>
    public List<(NodeGroup Group, ScenarioFields Fields, bool Auto)> Groups { get; } = [];

    public static ClusterSection Read(ScenarioFields root)
    {
        var fields = root.Mapping("cluster", "the cluster", Fields)
            ?? throw new Input.InputException(root.File, root.Line, "cluster", "the scenario has no 'cluster'; add 'cluster:' with 'nodeGroups:' (name, count, gpus, gpuModel, cpu, memory)");
        var section = new ClusterSection(fields) { TargetLoad = fields.OptionalDouble("targetLoad", 0, 100, minExclusive: true) };
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        ScenarioFields? auto = null;
        foreach (var g in fields.MappingList("nodeGroups", "node groups (name, count, gpus, gpuModel, cpu, memory)", GroupFields, required: true))
        {
            var name = g.RequiredString("name", "a100");
            if (!names.TryAdd(name, g.Line))
            {
                throw g.Error("name", $"node group '{name}' is declared twice (first at line {names[name]}); node names derive from it, so rename one");
            }

            var isAuto = g.IsAuto("count");
            if (isAuto && auto is not null)
            {
                throw g.Error("count", $"node group {name} is 'count: auto', as is the group at line {auto.Line}; only one group can be sized for the target load, so give the others a number");
            }

            auto = isAuto ? g : auto;
            var count = isAuto ? 0 : (int)g.RequiredLong("count", 1, 1_000_000, "16");
            var gpus = (int)(g.OptionalLong("gpus", 0, Limits.MaxGpusPerNode) ?? 0);
            var model = g.OptionalString("gpuModel");
            if (model is not null && !GpuModelCatalog.Default.Contains(model))
            {
                throw g.Error("gpuModel", $"unknown GPU model '{model}'; use one of {string.Join(", ", GpuModelCatalog.Default.Names)}");
            }

            if (gpus > 0 && model is null)
            {
                throw g.Error("gpuModel", $"node group {name} has {gpus} GPUs but no gpuModel; add 'gpuModel:' with one of {string.Join(", ", GpuModelCatalog.Default.Names)}");
            }

            if (isAuto && gpus == 0)
            {
                throw g.Error("count", $"node group {name} is 'count: auto' but has no GPUs; auto sizing matches GPU load, so give the group 'gpus:' or a fixed count");
            }

            var cpu = g.Raw.OptionalCpu() ?? throw g.Error("cpu", $"node group {name} has no 'cpu'; add the cores of one node, e.g. 'cpu: 96'");
            var memory = g.Raw.OptionalMemory() ?? throw g.Error("memory", $"node group {name} has no 'memory'; add the memory of one node, e.g. 'memory: 1024Gi'");
            section.Groups.Add((new NodeGroup(name, count, gpus, model, cpu, memory) { Labels = g.StringMap("labels"), Taints = ScenarioTolerations.Taints(g), RackSize = (int?)g.OptionalLong("rackSize", 1, 100_000), Sharing = Formats.GpuInput.ReadSharing(g.Raw, gpus, model, CatalogMemory(model)), NvlinkDomainSize = (int?)g.OptionalLong("nvlinkDomainSize", 1, 100_000), NvlinkIslandSize = IslandSize(g, gpus), Topology = Topology(g, gpus, cpu, memory), Datasets = g.StringList("datasets") }, g, isAuto));
        }

        if (auto is not null && section.TargetLoad is null)
        {
            throw auto.Error("count", "'count: auto' sizes the group for cluster.targetLoad, which is not set; add 'targetLoad: 0.85' under cluster, or give a number");
        }

        if (auto is null && section.TargetLoad is not null)
        {
            throw fields.Error("targetLoad", "targetLoad is set but no node group has 'count: auto'; write 'count: auto' on the group to size, or remove targetLoad");
        }

        return section;
    }

    private static long CatalogMemory(string? model) =>
        model is not null && GpuModelCatalog.Default.TryGet(model, out var info) ? info.MemoryMiB : 0;

    /// <summary>A group's <c>topology</c> (islands, PCIe switches, NUMA nodes of each node); never together with <c>nvlinkIslandSize</c>.</summary>
    private static Berth.Model.Gpus.NodeTopology? Topology(ScenarioFields g, int gpus, long cpu, long memory)
    {
        var topology = Formats.TopologyInput.Read(g.Raw, gpus, cpu, memory);
        if (topology is not null && g.Has("nvlinkIslandSize"))
        {
            throw g.Error("nvlinkIslandSize", "the group sets both nvlinkIslandSize and topology; give the islands in topology.islands and remove nvlinkIslandSize");
        }

        return topology;
    }

    /// <summary>A group's <c>nvlinkIslandSize</c>: GPUs per NVLink island, dividing the GPUs of each node.</summary>
    private static int? IslandSize(ScenarioFields g, int gpus)
    {
        var size = (int?)g.OptionalLong("nvlinkIslandSize", 1, Limits.MaxGpusPerNode);
        if (size is { } k && (gpus == 0 || gpus % k != 0))
        {
            throw g.Error("nvlinkIslandSize", $"{gpus} GPUs per node do not split into NVLink islands of {k}; give a size that divides the GPU count (2 for pairs), or leave it out");
        }

        return size;
    }
}
