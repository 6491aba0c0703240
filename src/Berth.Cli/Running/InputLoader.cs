using Berth.Model;
using Berth.Simulation.Formats;
using Berth.Simulation.Input;
using Berth.Simulation.Reports;
using Berth.Simulation.Traces;

namespace Berth.Cli.Running;

/// <summary>
/// Reads a cluster and one or more workloads, choosing the reader by extension: <c>.csv</c> is the openb
/// trace format, <c>.yaml</c>/<c>.yml</c>/<c>.json</c> Berth's format. The cluster is read once; every
/// workload becomes one trace named after its file. Every file is read completely, so bad input is found
/// before anything runs.
/// </summary>
public static class InputLoader
{
    public static IReadOnlyList<(SimulationInput Input, ReportInput Report)> Load(string clusterPath, IReadOnlyList<string> workloadPaths)
    {
        ArgumentNullException.ThrowIfNull(clusterPath);
        ArgumentNullException.ThrowIfNull(workloadPaths);
        var (nodes, catalog) = ReadCluster(clusterPath);
        var loaded = new List<(SimulationInput, ReportInput)>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in workloadPaths)
        {
            var pods = ReadWorkload(path, catalog);
            var name = Path.GetFileNameWithoutExtension(path);
            if (names.TryGetValue(name, out var other))
            {
                throw new InputException(path, 0, string.Empty, $"the trace name '{name}' is already used by {other}; give the workload files different names");
            }

            names.Add(name, path);
            var input = new SimulationInput(name, nodes, pods);
            loaded.Add((input, Describe(input, clusterPath, path)));
        }

        return loaded;
    }

    public static ReportInput Describe(SimulationInput input, string cluster, string workload)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ReportInput(input.Name, cluster, workload, input.Nodes.Count, input.Nodes.Sum(n => n.GpuCount), input.Pods.Count);
    }

    private static (IReadOnlyList<Node> Nodes, GpuModelCatalog Catalog) ReadCluster(string path)
    {
        RequireFile(path, "--nodes");
        if (IsCsv(path))
        {
            return (OpenbTrace.ReadNodes(path), GpuModelCatalog.Default);
        }

        var cluster = BerthFormat.ReadCluster(path);
        return (cluster.Nodes, cluster.Catalog);
    }

    private static IReadOnlyList<TracePod> ReadWorkload(string path, GpuModelCatalog catalog)
    {
        RequireFile(path, "--pods");
        var pods = IsCsv(path) ? OpenbTrace.ReadPods(path, catalog) : BerthFormat.ReadWorkload(path, catalog);
        SharingSupport.EnsureSimulatable(path, pods.Select(p => p.Pod));
        return pods;
    }

    private static void RequireFile(string path, string option)
    {
        if (Directory.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, $"is a folder; {option} takes a file");
        }

        if (!File.Exists(path))
        {
            throw new InputException(path, 0, string.Empty, $"file not found; check the path given to {option}");
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".csv" or ".yaml" or ".yml" or ".json"))
        {
            throw new InputException(path, 0, string.Empty,
                $"unknown file type '{extension}'; {option} takes an openb trace (.csv) or a Berth file (.yaml, .yml, .json)");
        }
    }

    private static bool IsCsv(string path) => string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase);
}
