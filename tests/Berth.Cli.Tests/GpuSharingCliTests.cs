using Berth.Cli.Running;

namespace Berth.Cli.Tests;

/// <summary>Files that use GPU sharing are read, but the simulator cannot place on shared GPUs yet: it says so as bad input.</summary>
public sealed class GpuSharingCliTests
{
    private const string MigScenario = "kind: Scenario\nname: mig\ncluster:\n  nodeGroups:\n"
        + "    - {name: g, count: 2, gpus: 8, gpuModel: H100, cpu: 64, memory: 512Gi, gpuSharing: {mode: mig, migLayout: [3g.40gb, 3g.40gb]}}\n"
        + "flavors:\n  - {name: f}\ncohorts:\n  - {name: org}\n"
        + "queues:\n  - name: q\n    cohort: org\n    flavors:\n      - {flavor: f, gpu: 16}\n"
        + "workloads:\n  - {name: w1, queue: q, duration: 1h, gpus: 8}\n";

    [Fact]
    public void SimulateScenario_MigNodes_IsBadInputNamingTheNodeAndTheFix()
    {
        var dir = Directory.CreateTempSubdirectory("berth-mig-");
        try
        {
            var path = Path.Combine(dir.FullName, "mig.yaml");
            File.WriteAllText(path, MigScenario);

            var run = CliRun.Of("simulate", "--scenario", path, "--out", Path.Combine(dir.FullName, "out"));

            Assert.Equal(ExitCodes.BadInput, run.ExitCode);
            Assert.Contains("node g-0 shares its GPUs (MIG [3g.40gb@0, 3g.40gb@4])", run.Error, StringComparison.Ordinal);
            Assert.Contains("remove gpuSharing", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("unexpected", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void SimulateFiles_MigPod_IsBadInputNamingTheResource()
    {
        var dir = Directory.CreateTempSubdirectory("berth-mig-");
        try
        {
            var nodes = Path.Combine(dir.FullName, "cluster.yaml");
            var pods = Path.Combine(dir.FullName, "workload.yaml");
            File.WriteAllText(nodes, "kind: Cluster\nnodes:\n  - {name: n, cpu: 64, memory: 512Gi, gpus: 8, gpuModel: H100}\n");
            File.WriteAllText(pods, "kind: Workload\npods:\n  - {name: p, cpu: 4, memory: 16Gi, resources: {nvidia.com/mig-3g.40gb: 1}}\n");

            var run = CliRun.Of("simulate", "--nodes", nodes, "--pods", pods, "--out", Path.Combine(dir.FullName, "out"));

            Assert.Equal(ExitCodes.BadInput, run.ExitCode);
            Assert.Contains("pod p asks for nvidia.com/mig-3g.40gb", run.Error, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
