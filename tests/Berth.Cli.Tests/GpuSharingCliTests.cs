using Berth.Cli.Running;

namespace Berth.Cli.Tests;

/// <summary>Files that use GPU sharing are simulated; what the engine cannot pack is refused as bad input.</summary>
public sealed class GpuSharingCliTests
{
    [Fact]
    public void SimulateFiles_ReplayOnRepartitionedMigNodes_ReportsRepartitionsInTheSummary()
    {
        var dir = Directory.CreateTempSubdirectory("berth-mig-");
        try
        {
            var nodes = Path.Combine(dir.FullName, "cluster.yaml");
            var pods = Path.Combine(dir.FullName, "workload.yaml");
            File.WriteAllText(nodes, "kind: Cluster\nnodes:\n  - {name: n, cpu: 64, memory: 512Gi, gpus: 2, gpuModel: H100, gpuSharing: {mode: mig, migLayout: [], repartition: true}}\n");
            File.WriteAllText(pods, "kind: Workload\npods:\n"
                + "  - {name: a, cpu: 4, memory: 16Gi, resources: {nvidia.com/mig-3g.40gb: 1}, creationTime: 0, deletionTime: 100}\n"
                + "  - {name: b, cpu: 4, memory: 16Gi, resources: {nvidia.com/mig-1g.10gb: 1}, creationTime: 10, deletionTime: 100}\n");

            var output = Path.Combine(dir.FullName, "out");
            var run = CliRun.Of("simulate", "--nodes", nodes, "--pods", pods, "--mode", "replay", "--policies", "fgd", "--seeds", "1", "--out", output);

            Assert.Equal(0, run.ExitCode);
            var summary = File.ReadAllLines(Path.Combine(output, "summary.csv"));
            var row = summary[1].Split(',');
            Assert.Equal("0", row[6]); // failed pods
            Assert.Equal("2", row[8]); // both instances were made by re-partitioning an empty MIG GPU
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void SimulateFiles_PodWithMoreMigInstancesThanOnePodHolds_IsBadInputNamingTheFix()
    {
        var dir = Directory.CreateTempSubdirectory("berth-mig-");
        try
        {
            var nodes = Path.Combine(dir.FullName, "cluster.yaml");
            var pods = Path.Combine(dir.FullName, "workload.yaml");
            File.WriteAllText(nodes, "kind: Cluster\nnodes:\n  - {name: n, cpu: 64, memory: 512Gi, gpus: 8, gpuModel: H100}\n");
            File.WriteAllText(pods, "kind: Workload\npods:\n  - {name: p, cpu: 4, memory: 16Gi, resources: {nvidia.com/mig-1g.10gb: 5}}\n");

            var run = CliRun.Of("simulate", "--nodes", nodes, "--pods", pods, "--out", Path.Combine(dir.FullName, "out"));

            Assert.Equal(ExitCodes.BadInput, run.ExitCode);
            Assert.Contains("pod p asks for 5 x nvidia.com/mig-1g.10gb", run.Error, StringComparison.Ordinal);
            Assert.Contains("split it into pods of up to 4", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
