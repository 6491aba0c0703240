using Berth.Model;
using Berth.Simulation.Input;

namespace Berth.Simulation.Traces;

/// <summary>
/// Reads the Alibaba <c>openb</c> GPU-sharing trace (Weng et al., ATC '23): node lists
/// (<c>sn,cpu_milli,memory_mib,gpu,model</c>) and pod lists in the 11-column form
/// (<c>name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time</c>)
/// or the 5-column form (the first five). Every problem is reported with file, line and column.
/// </summary>
public static class OpenbTrace
{
    public static readonly IReadOnlyList<string> NodeColumns = ["sn", "cpu_milli", "memory_mib", "gpu", "model"];
    public static readonly IReadOnlyList<string> PodColumns = ["name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"];

    public static IReadOnlyList<Node> ReadNodes(string path, GpuModelCatalog? catalog = null)
    {
        using var reader = OpenText(path);
        return ReadNodes(path, reader, catalog ?? GpuModelCatalog.Default);
    }

    public static IReadOnlyList<Node> ReadNodes(string path, TextReader reader, GpuModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var table = CsvTable.Read(path, reader, NodeColumns);
        var nodes = new List<Node>(table.Rows.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var name = table.Text(row, "sn");
            if (name.Length == 0)
            {
                throw new InputException(path, row.Line, "sn", "the node name is empty; give every node a name");
            }

            if (!names.Add(name))
            {
                throw new InputException(path, row.Line, "sn", $"node '{name}' appears twice; node names must be unique");
            }

            var gpus = table.NonNegative(row, "gpu");
            if (gpus > Limits.MaxGpusPerNode)
            {
                throw new InputException(path, row.Line, "gpu", $"{gpus} GPUs on one node; at most {Limits.MaxGpusPerNode} are supported");
            }

            var model = table.Text(row, "model");
            if (gpus > 0 && model.Length == 0)
            {
                throw new InputException(path, row.Line, "model", $"node '{name}' has {gpus} GPUs but no model; write its GPU model (one of {string.Join(", ", catalog.Names)})");
            }

            long gpuMemory = 0;
            if (model.Length > 0)
            {
                if (!catalog.TryGet(model, out var info))
                {
                    throw new InputException(path, row.Line, "model", $"unknown GPU model '{model}'; known models: {string.Join(", ", catalog.Names)}");
                }

                gpuMemory = info.MemoryMiB;
            }

            nodes.Add(new Node
            {
                Name = name,
                CpuMilli = table.NonNegative(row, "cpu_milli"),
                MemoryMiB = table.NonNegative(row, "memory_mib"),
                GpuCount = (int)gpus,
                GpuModel = gpus > 0 ? model : null,
                GpuMemoryMiB = gpuMemory,
            });
        }

        if (nodes.Count == 0)
        {
            throw new InputException(path, 0, string.Empty, "the node list has no rows; a cluster needs at least one node");
        }

        return nodes;
    }

    public static IReadOnlyList<TracePod> ReadPods(string path, GpuModelCatalog? catalog = null)
    {
        using var reader = OpenText(path);
        return ReadPods(path, reader, catalog ?? GpuModelCatalog.Default);
    }

    public static IReadOnlyList<TracePod> ReadPods(string path, TextReader reader, GpuModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var table = CsvTable.Read(path, reader, PodColumns);
        var pods = new List<TracePod>(table.Rows.Count);
        var hasSpec = table.Has("gpu_spec");
        foreach (var row in table.Rows)
        {
            var name = table.Text(row, "name");
            if (name.Length == 0)
            {
                throw new InputException(path, row.Line, "name", "the pod name is empty; give every pod a name");
            }

            var numGpu = table.NonNegative(row, "num_gpu");
            var milli = table.NonNegative(row, "gpu_milli");
            if (numGpu > Limits.MaxGpusPerNode)
            {
                throw new InputException(path, row.Line, "num_gpu", $"{numGpu} GPUs for one pod; at most {Limits.MaxGpusPerNode} fit on a node");
            }

            if (milli > Limits.GpuMilliPerGpu)
            {
                throw new InputException(path, row.Line, "gpu_milli", $"{milli} is above 1000; gpu_milli is the per-GPU share, 1000 = one whole GPU");
            }

            if (numGpu > 0 && milli == 0)
            {
                throw new InputException(path, row.Line, "gpu_milli", $"the pod asks for {numGpu} GPU(s) with gpu_milli 0; write the per-GPU share (1..1000)");
            }

            if (numGpu > 1 && milli != Limits.GpuMilliPerGpu)
            {
                throw new InputException(path, row.Line, "gpu_milli", $"a pod with {numGpu} GPUs must take whole GPUs (gpu_milli 1000), not {milli}");
            }

            IReadOnlyList<string> models = [];
            if (hasSpec)
            {
                var spec = table.Text(row, "gpu_spec");
                if (spec.Length > 0)
                {
                    var list = spec.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Distinct(StringComparer.Ordinal).ToArray();
                    foreach (var model in list)
                    {
                        if (!catalog.Contains(model))
                        {
                            throw new InputException(path, row.Line, "gpu_spec", $"unknown GPU model '{model}'; known models: {string.Join(", ", catalog.Names)}");
                        }
                    }

                    models = list;
                }
            }

            var pod = new Pod
            {
                Name = name,
                CpuMilli = table.NonNegative(row, "cpu_milli"),
                MemoryMiB = table.NonNegative(row, "memory_mib"),
                GpuCount = (int)numGpu,
                GpuMilli = numGpu == 0 ? 0 : (int)milli,
                AllowedGpuModels = models,
            };
            var created = table.OptionalNonNegative(row, "creation_time");
            var deleted = table.OptionalNonNegative(row, "deletion_time");
            if (created is { } c && deleted is { } d && d < c)
            {
                throw new InputException(path, row.Line, "deletion_time", $"{d} is before creation_time {c}; a pod cannot leave before it arrives");
            }

            pods.Add(new TracePod(pod, created, deleted));
        }

        if (pods.Count == 0)
        {
            throw new InputException(path, 0, string.Empty, "the pod list has no rows; a workload needs at least one pod");
        }

        return pods;
    }

    /// <summary>Reads a node list and a pod list into one input named after the pod list (e.g. <c>openb_pod_list_default</c>).</summary>
    public static SimulationInput Read(string nodesPath, string podsPath, GpuModelCatalog? catalog = null) =>
        new(Path.GetFileNameWithoutExtension(podsPath), ReadNodes(nodesPath, catalog), ReadPods(podsPath, catalog));

    private static StreamReader OpenText(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, "file not found; check the path");
        }

        return new StreamReader(path);
    }
}
